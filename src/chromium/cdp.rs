//! The DevTools protocol, spoken over Chromium's WebSocket: one connection, one page (a
//! flattened session), each command answered before the next is sent.
//!
//! Invariants: the page's requests are answered while a command waits (they pause the page
//! until answered): the page's own address with the page, every other request with a
//! failure; a page is shot only once it has settled (so the same page gives the same
//! bytes); an answer larger than [`MAX_MESSAGE`] is refused, never buffered; every read has
//! a time limit; a command that Chromium refuses is an error with its own words.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Value, json};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use super::{PAGE_CSP, PAGE_URL};

/// The largest message taken from Chromium: a PNG of the tallest page allowed, in base64,
/// is well inside it.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// A DevTools connection to one page of a running Chromium.
pub(super) struct Cdp {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// The page's session and target, once attached.
    session: Option<String>,
    target: Option<String>,
    /// The page the tab is shown next, served to its request for [`PAGE_URL`].
    page: String,
    /// The loaders (one per document) that settled since the last navigation began: the
    /// page shown is the one whose loader `Page.navigate` names, not an earlier document
    /// (the first `about:blank`) settling late.
    settled: Vec<String>,
    /// How long any one read may wait.
    timeout: Duration,
}

impl Cdp {
    /// Connect to the browser at `ws_url` (as Chromium prints it) and open a page whose every
    /// request is paused and answered here.
    pub(super) fn connect(ws_url: &str, timeout: Duration) -> Result<Cdp> {
        let host = ws_url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| anyhow!("its DevTools address is not ws://: {ws_url}"))?;
        let addr: std::net::SocketAddr = host
            .parse()
            .with_context(|| format!("its DevTools address is not an IP and port: {host}"))?;
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let (socket, _) = tungstenite::client::client_with_config(ws_url, stream, Some(config))
            .map_err(|e| anyhow!("the DevTools handshake failed: {e}"))?;
        let mut cdp = Cdp {
            socket,
            next_id: 0,
            session: None,
            target: None,
            page: String::new(),
            settled: Vec::new(),
            timeout,
        };
        let made = cdp.call("Target.createTarget", json!({"url": "about:blank"}))?;
        let target = text(&made, "targetId")?;
        let attached = cdp.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )?;
        cdp.session = Some(text(&attached, "sessionId")?);
        cdp.target = Some(target);
        cdp.call("Page.enable", json!({}))?;
        cdp.call("Page.setLifecycleEventsEnabled", json!({"enabled": true}))?;
        let every = json!([{"urlPattern": "*", "requestStage": "Request"}]);
        cdp.call("Fetch.enable", json!({ "patterns": every }))?;
        Ok(cdp)
    }

    /// How long each later read may wait (connecting had what was left of the start-up's).
    pub(super) fn set_timeout(&mut self, timeout: Duration) -> Result<()> {
        self.timeout = timeout;
        self.socket.get_ref().set_read_timeout(Some(timeout))?;
        self.socket.get_ref().set_write_timeout(Some(timeout))?;
        Ok(())
    }

    /// Send a command to the page (or, before it is attached, to the browser) and wait for
    /// its answer, answering the page's requests meanwhile.
    pub(super) fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.send(method, params)?;
        let deadline = Instant::now() + self.timeout;
        loop {
            let message = self.receive(deadline)?;
            if message.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = message.get("error") {
                    let said = error.get("message").and_then(Value::as_str);
                    bail!("{method}: {}", said.unwrap_or("refused"));
                }
                return Ok(message.get("result").cloned().unwrap_or(Value::Null));
            }
            self.event(&message)?;
        }
    }

    /// Show `html` at [`PAGE_URL`] and wait until it is loaded and settled (the
    /// `networkAlmostIdle` lifecycle event).
    pub(super) fn load(&mut self, html: &str) -> Result<()> {
        html.clone_into(&mut self.page);
        self.settled.clear();
        let r = self.call("Page.navigate", json!({ "url": PAGE_URL }))?;
        if let Some(error) = r.get("errorText").and_then(Value::as_str) {
            bail!("the page did not load: {error}");
        }
        let loader = text(&r, "loaderId")?;
        let deadline = Instant::now() + self.timeout;
        while !self.settled.contains(&loader) {
            let message = self.receive(deadline)?;
            self.event(&message)?;
        }
        Ok(())
    }

    fn send(&mut self, method: &str, params: Value) -> Result<u64> {
        self.next_id += 1;
        let mut message = json!({"id": self.next_id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = Value::String(session.clone());
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| anyhow!("the DevTools connection failed: {e}"))?;
        Ok(self.next_id)
    }

    /// The next message from Chromium, as JSON.
    fn receive(&mut self, deadline: Instant) -> Result<Value> {
        loop {
            if Instant::now() >= deadline {
                bail!("no answer within {} s", self.timeout.as_secs());
            }
            let message = self.socket.read().map_err(|e| match e {
                tungstenite::Error::Capacity(_) => {
                    anyhow!("its answer is over {} MiB", MAX_MESSAGE / (1024 * 1024))
                }
                other => anyhow!("the DevTools connection failed: {other}"),
            })?;
            match message {
                Message::Text(text) => {
                    return serde_json::from_str(&text)
                        .map_err(|e| anyhow!("it sent a DevTools message that is not JSON: {e}"));
                }
                Message::Close(_) => bail!("it closed the DevTools connection"),
                // Pings are answered by the socket itself; nothing else is expected.
                _ => {}
            }
        }
    }

    /// An event of the page: a request to answer, the page settled, or the page gone.
    fn event(&mut self, message: &Value) -> Result<()> {
        let params = &message["params"];
        match message.get("method").and_then(Value::as_str) {
            Some("Fetch.requestPaused") => self.answer(params),
            // Loaded, and painted: the first paints give DOM nodes the ids a tagged PDF
            // quotes, so a page printed before they settle is not the same bytes twice.
            Some("Page.lifecycleEvent") if params["name"] == "networkAlmostIdle" => {
                if let Some(loader) = params["loaderId"].as_str() {
                    self.settled.push(loader.to_owned());
                }
                Ok(())
            }
            Some("Inspector.detached" | "Target.detachedFromTarget" | "Target.targetCrashed") => {
                bail!("the page was closed or crashed")
            }
            _ => Ok(()),
        }
    }

    /// A paused request: the page's own address gets the page and its policy; anything else
    /// (a style sheet, an image, a frame, a file, the network) fails. The answer to this
    /// command is not waited for: it comes back among the other messages and is passed over.
    fn answer(&mut self, params: &Value) -> Result<()> {
        use base64::Engine as _;
        let id = params["requestId"].clone();
        let document = params["resourceType"] == "Document";
        if document && params["request"]["url"] == PAGE_URL {
            let headers = json!([
                {"name": "Content-Type", "value": "text/html; charset=utf-8"},
                {"name": "Content-Security-Policy", "value": PAGE_CSP},
                {"name": "Cache-Control", "value": "no-store"},
            ]);
            let body = base64::engine::general_purpose::STANDARD.encode(&self.page);
            let answer = json!({"requestId": id, "responseCode": 200, "responseHeaders": headers, "body": body});
            self.send("Fetch.fulfillRequest", answer)?;
        } else {
            let answer = json!({"requestId": id, "errorReason": "BlockedByClient"});
            self.send("Fetch.failRequest", answer)?;
        }
        Ok(())
    }

    /// Close the page, without waiting for Chromium to say so.
    pub(super) fn close(&mut self) {
        if let Some(target) = self.target.take() {
            self.session = None;
            let _ = self.send("Target.closeTarget", json!({ "targetId": target }));
        }
    }
}

/// A string field of an answer.
fn text(v: &Value, key: &str) -> Result<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("its answer has no `{key}`"))
}

/// Bytes Chromium sent in base64 (`data` of a screenshot or a PDF).
pub(super) fn bytes(v: &Value) -> Result<Vec<u8>> {
    use base64::Engine as _;
    let data = v
        .get("data")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("its answer has no data"))?;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| anyhow!("its answer is not base64: {e}"))
}
