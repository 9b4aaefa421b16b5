//! `shelfsync scan ...`: the scanner layer from the command line.

use std::io::Read;
use std::sync::atomic::AtomicBool;

use shelfsync_scan::{HidConfig, SerialConfig, list_devices, listen_hid, listen_serial, parse_cli};

use crate::args::ScanCommand;
use crate::context::Context;
use crate::{CliError, output};

/// Most bytes read from stdin for one scan; the scan layer itself refuses more than 4 KiB.
const MAX_STDIN_BYTES: u64 = 64 * 1024;

pub fn run(ctx: &Context, command: ScanCommand) -> Result<(), CliError> {
    match command {
        ScanCommand::Parse { data } => parse(&data),
        ScanCommand::Devices => devices(ctx),
        ScanCommand::Listen { serial, baud, hid } => listen(ctx, serial, baud, hid),
    }
}

fn parse(data: &str) -> Result<(), CliError> {
    let bytes = if data == "-" {
        let mut raw = Vec::new();
        std::io::stdin().take(MAX_STDIN_BYTES).read_to_end(&mut raw)?;
        // A scanner's terminator (CR, LF) frames the scan; it is not part of the data.
        while raw.last().is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            raw.pop();
        }
        raw
    } else {
        data.as_bytes().to_vec()
    };
    output::line(&serde_json::to_string(&parse_cli(&bytes)?).expect("parse output serialises"));
    Ok(())
}

fn devices(ctx: &Context) -> Result<(), CliError> {
    let devices = list_devices();
    if ctx.json {
        output::json(&devices);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            let json = serde_json::to_value(d).unwrap_or_default();
            let field = |k: &str| json[k].as_str().map(str::to_string).unwrap_or_else(|| json[k].to_string());
            vec![field("kind"), field("path"), field("vid"), field("pid"), field("product")]
        })
        .collect();
    output::table(&["KIND", "PATH", "VID", "PID", "PRODUCT"], &rows);
    Ok(())
}

fn parse_vid_pid(raw: &str) -> Result<(u16, u16), CliError> {
    let bad = || CliError::Usage(format!("--hid '{raw}' is not VID:PID in hex (e.g. 0c2e:0b61)"));
    let (vid, pid) = raw.split_once(':').ok_or_else(bad)?;
    let hex = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|_| bad());
    Ok((hex(vid)?, hex(pid)?))
}

fn listen(ctx: &Context, serial: Option<String>, baud: u32, hid: Option<String>) -> Result<(), CliError> {
    // Runs until the process is stopped; the listeners reopen unplugged devices themselves.
    let stop = AtomicBool::new(false);
    let on_scan = |scan: Result<shelfsync_scan::Scan, shelfsync_scan::ScanError>| match scan {
        Ok(scan) => output::line(&scan.to_json_line()),
        Err(error) => eprintln!("error: {error}"),
    };
    match (serial, hid) {
        (Some(path), _) => {
            let mut config = SerialConfig::new(&path);
            config.baud = baud;
            config.pipeline.workstation = ctx.workstation.clone();
            listen_serial(config, &stop, on_scan);
        }
        (None, Some(raw)) => {
            let mut config = HidConfig::new(Some(parse_vid_pid(&raw)?));
            config.pipeline.workstation = ctx.workstation.clone();
            listen_hid(config, &stop, on_scan);
        }
        (None, None) => {
            return Err(CliError::Usage("scan listen needs --serial PATH or --hid VID:PID".into()));
        }
    }
    Ok(())
}
