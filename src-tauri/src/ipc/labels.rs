//! Labels (issue 21): what the item, location and settings screens ask to preview, print, save
//! or send to a Zebra printer.

wire! {
    /// Which label: an item's (`code` is its SKU or any barcode), a location's (`code` is the
    /// location), or the station's command sheet (every location; `code` is ignored).
    pub enum LabelKind {
        Item,
        Location,
        Commands,
    }

    /// An item label's symbol: GS1-128 (any scanner; Code 128 of the SKU without a GTIN) or
    /// GS1 DataMatrix (a 2D imager; needs the item's GTIN).
    pub enum LabelSymbology {
        Linear,
        DataMatrix,
    }

    /// A label to make. `lot`, `expiry` (YYYY-MM-DD), `copies` and `symbology` apply to item
    /// labels. Without `expiry`, a lot's label carries the date the lot was booked with.
    pub struct LabelRequest {
        pub kind: LabelKind,
        pub code: String,
        pub lot: Option<String>,
        pub expiry: Option<String>,
        pub copies: u32,
        /// GS1-128 when absent.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub symbology: Option<LabelSymbology>,
    }

    /// PDF for any printer (saved, or printed from the preview), ZPL for a Zebra printer.
    pub enum LabelFormat {
        Pdf,
        Zpl,
    }

    /// What the screen shows before printing: the barcode (a PNG of the very raster the PDF
    /// embeds, base64) with its human-readable line, and the label's text lines. The command
    /// sheet has no single barcode: `pngBase64` is empty and `barcodes` counts its entries.
    pub struct LabelPreviewView {
        pub png_base64: String,
        pub human: String,
        pub lines: Vec<String>,
        pub barcodes: u32,
    }

    /// Where a label went: a file in the `labels` folder next to the database, or a printer.
    pub struct LabelDelivered {
        pub to: String,
        pub bytes: u32,
    }
}
