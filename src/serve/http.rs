//! The HTTP side of `serve`: GET and HEAD, one request per connection, for a browser on the
//! same machine.
//!
//! Invariants: a request is answered only when its `Host` is a loopback name or address, the
//! address the server is bound to, or (bound to every interface) an address at all: a page
//! on another site that rebinds its name to 127.0.0.1 gets 421, never a map. Memory and
//! threads are bounded: at most [`MAX_CONNECTIONS`] connections are served at once (the
//! next are told 503), a request's head may be [`MAX_HEAD`] bytes (a longer first line is
//! 414, longer headers 431), and a connection that sends nothing for [`IDLE`] is closed.
//! The accept loop never stops: a failed accept (out of descriptors) waits and tries again.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Bytes of a request's first line.
pub const MAX_LINE: usize = 4 * 1024;
/// Bytes of a request's head (first line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may send nothing before it is closed.
pub const IDLE: Duration = Duration::from_secs(5);

/// A request, as the site needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent.
    pub target: String,
}

/// An answer: status, content type, body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// Which `Host` headers are answered.
#[derive(Debug, Clone)]
pub struct Hosts {
    bound: IpAddr,
    port: u16,
}

impl Hosts {
    pub fn new(bound: IpAddr, port: u16) -> Hosts {
        Hosts { bound, port }
    }

    /// Whether a request naming `host` (with or without the port) is for this server.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        // `[::1]:8000`, `127.0.0.1:8000`, `localhost:8000`, or any of them without the port.
        let (name, port) = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((name, tail)) => (name, tail.strip_prefix(':')),
                None => return false,
            },
            None => match host.rsplit_once(':') {
                Some((name, port)) if !name.contains(':') => (name, Some(port)),
                _ => (host, None),
            },
        };
        if port.is_some_and(|p| p.parse::<u16>().ok() != Some(self.port)) {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bound || self.bound.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// Serve `listener` for ever, answering each request with `answer`.
pub fn run(
    listener: TcpListener,
    hosts: Hosts,
    answer: Arc<dyn Fn(&Request) -> Response + Send + Sync>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors (or a connection reset before it was taken): the next
                // one may work once others close.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            busy(stream);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (active2, hosts, answer) = (Arc::clone(&active), hosts.clone(), Arc::clone(&answer));
        let spawned = std::thread::Builder::new()
            .name("journeymap-serve".to_owned())
            .spawn(move || {
                handle(stream, &hosts, answer.as_ref());
                active2.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            // No thread to be had: the connection is dropped, and the count given back.
            active.fetch_sub(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Too many connections at once: say so and close, without a thread.
fn busy(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let _ = write_response(
        &mut stream,
        &Response::text(503, "too many connections at once; try again\n"),
        false,
    );
}

fn handle(mut stream: TcpStream, hosts: &Hosts, answer: &(dyn Fn(&Request) -> Response + Sync)) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let response = match read_head(&mut stream) {
        Ok(head) => match parse(&head) {
            Ok((request, host)) => {
                if !host.as_deref().is_some_and(|h| hosts.allows(h)) {
                    Response::text(
                        421,
                        "this server answers only requests for itself (localhost or its address)\n",
                    )
                } else {
                    let head_only = request.method == "HEAD";
                    let r = answer(&request);
                    let _ = write_response(&mut stream, &r, head_only);
                    return;
                }
            }
            Err(r) => r,
        },
        Err(Some(r)) => r,
        // The peer went away, or sent nothing in time.
        Err(None) => return,
    };
    let _ = write_response(&mut stream, &response, false);
    // The rest of a refused request is still arriving: read a little of it before closing,
    // so that the refusal reaches the client rather than being cut off by a reset.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut sink = [0u8; 8192];
    for _ in 0..8 {
        if !matches!(stream.read(&mut sink), Ok(n) if n > 0) {
            break;
        }
    }
}

/// The request's head, up to the blank line; or the answer that refuses it, or nothing to
/// answer (the connection ended or idled).
fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, Option<Response>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => return Err(None),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err((!head.is_empty()).then(|| Response::text(408, "request timed out\n")));
            }
            Err(_) => return Err(None),
        };
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = memchr::memmem::find(&head, b"\r\n\r\n") {
            head.truncate(end + 2);
            return Ok(head);
        }
        let first_line = memchr::memchr(b'\n', &head).unwrap_or(head.len());
        if first_line > MAX_LINE {
            return Err(Some(Response::text(414, "the request line is too long\n")));
        }
        if head.len() > MAX_HEAD {
            return Err(Some(Response::text(
                431,
                "the request's headers are too long\n",
            )));
        }
    }
}

/// The request line and the `Host` header of a head.
fn parse(head: &[u8]) -> Result<(Request, Option<String>), Response> {
    let bad = || Response::text(400, "not an HTTP request journeymap serve reads\n");
    let text = std::str::from_utf8(head).map_err(|_| bad())?;
    let mut lines = text.split("\r\n");
    let first = lines.next().ok_or_else(bad)?;
    let mut parts = first.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(bad());
    }
    let mut host = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("host")
        {
            if host.is_some() {
                return Err(bad());
            }
            host = Some(value.trim().to_owned());
        }
    }
    Ok((
        Request {
            method: method.to_owned(),
            target: target.to_owned(),
        },
        host,
    ))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn write_response(stream: &mut TcpStream, r: &Response, head_only: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_answered_are_this_servers_own() {
        let local = Hosts::new("127.0.0.1".parse().unwrap(), 8000);
        for ok in [
            "localhost:8000",
            "127.0.0.1:8000",
            "[::1]:8000",
            "LOCALHOST",
            "127.0.0.1",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for no in [
            "evil.example:8000",
            "evil.example",
            "localhost:8001",
            "10.0.0.5:8000",
            "localhost.evil.example:8000",
            "[::1",
            "",
        ] {
            assert!(!local.allows(no), "{no}");
        }
        let any = Hosts::new("0.0.0.0".parse().unwrap(), 8000);
        assert!(any.allows("192.168.1.20:8000"));
        assert!(!any.allows("rebind.evil.example:8000"));
        let lan = Hosts::new("192.168.1.20".parse().unwrap(), 80);
        assert!(lan.allows("192.168.1.20"));
        assert!(!lan.allows("192.168.1.21"));
    }

    #[test]
    fn request_lines_are_read_strictly() {
        let (r, host) = parse(b"GET /a%20b?x HTTP/1.1\r\nHost: localhost:1\r\n").unwrap();
        assert_eq!(r.target, "/a%20b?x");
        assert_eq!(host.as_deref(), Some("localhost:1"));
        assert!(parse(b"GET http://x/ HTTP/1.1\r\n").is_err());
        assert!(parse(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n").is_err());
        assert!(parse(b"GET /\r\n").is_err());
    }
}
