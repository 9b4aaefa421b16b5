//! Which scanners are attached: HID POS interfaces (usage page 0x8C, usage 0x02) and serial
//! ports, the latter with USB vendor/product ids when the port is USB-CDC.

use serde::Serialize;

use crate::hidpos::{USAGE_BARCODE_SCANNER, USAGE_PAGE_BARCODE_SCANNER};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    Hid,
    Serial,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    pub kind: DeviceKind,
    pub path: String,
    pub vid: Option<u16>,
    pub pid: Option<u16>,
    pub product: Option<String>,
    pub manufacturer: Option<String>,
    pub serial_number: Option<String>,
}

/// Every scanner-like device visible now. Failures to enumerate one transport (no hidraw
/// access, no udev) leave that transport out rather than hiding the other.
pub fn list_devices() -> Vec<DeviceInfo> {
    let mut out = hid_devices();
    out.extend(serial_devices());
    out
}

fn hid_devices() -> Vec<DeviceInfo> {
    let Ok(api) = hidapi::HidApi::new() else {
        return Vec::new();
    };
    api.device_list()
        .filter(|d| d.usage_page() == USAGE_PAGE_BARCODE_SCANNER && d.usage() == USAGE_BARCODE_SCANNER)
        .map(|d| DeviceInfo {
            kind: DeviceKind::Hid,
            path: d.path().to_string_lossy().into_owned(),
            vid: Some(d.vendor_id()),
            pid: Some(d.product_id()),
            product: d.product_string().map(str::to_owned),
            manufacturer: d.manufacturer_string().map(str::to_owned),
            serial_number: d.serial_number().map(str::to_owned),
        })
        .collect()
}

fn serial_devices() -> Vec<DeviceInfo> {
    let Ok(ports) = serialport::available_ports() else {
        return Vec::new();
    };
    ports
        .into_iter()
        .map(|p| {
            let usb = match p.port_type {
                serialport::SerialPortType::UsbPort(info) => Some(info),
                _ => None,
            };
            DeviceInfo {
                kind: DeviceKind::Serial,
                path: p.port_name,
                vid: usb.as_ref().map(|u| u.vid),
                pid: usb.as_ref().map(|u| u.pid),
                product: usb.as_ref().and_then(|u| u.product.clone()),
                manufacturer: usb.as_ref().and_then(|u| u.manufacturer.clone()),
                serial_number: usb.and_then(|u| u.serial_number),
            }
        })
        .collect()
}
