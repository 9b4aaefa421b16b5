//! ZPL straight to a Zebra printer on the network: raw TCP to its port (usually 9100), the
//! way Zebra's own tools send it. Used by the CLI's `--printer` and the app's label screen.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::LabelError;

/// A printer that does not answer within this is reported, not waited on.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A printer that takes the connection but not the data (out of paper, buffer full).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects (timed), sends everything, closes. `printer` is `HOST:PORT`.
pub fn send_zpl(printer: &str, zpl: &[u8]) -> Result<(), LabelError> {
    let unreachable = |reason: String| LabelError::Printer { printer: printer.to_owned(), reason };
    let addr = printer
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable("no address".into()))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| unreachable(e.to_string()))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT)).map_err(|e| unreachable(e.to_string()))?;
    stream.write_all(zpl).and_then(|()| stream.flush()).map_err(|e| unreachable(e.to_string()))?;
    Ok(())
}
