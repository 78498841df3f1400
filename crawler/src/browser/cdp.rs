//! A minimal Chrome DevTools Protocol client: JSON commands and events over one websocket,
//! with sessions attached in "flatten" mode (one socket for the browser and all its pages).
//!
//! Our own rather than `chromiumoxide`: the handful of commands pharmwatch sends do not
//! justify compiling the generated bindings of the whole protocol (hundreds of thousands of
//! lines) on every cold CI build.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::Message;

use super::BrowserError;
use crate::sync::lock;

/// One protocol event, for the session it was sent to.
#[derive(Debug)]
pub(crate) struct Event {
    pub method: String,
    pub params: Value,
}

type Reply = oneshot::Sender<Result<Value, BrowserError>>;

#[derive(Default)]
struct Routes {
    replies: HashMap<u64, Reply>,
    sessions: HashMap<String, mpsc::UnboundedSender<Event>>,
}

/// A connection to one browser. Dropping it closes the socket.
pub(crate) struct Cdp {
    next_id: AtomicU64,
    outgoing: mpsc::UnboundedSender<Message>,
    routes: Arc<Mutex<Routes>>,
    closed: Arc<AtomicBool>,
}

impl Cdp {
    /// Connects to the browser's DevTools websocket (loopback).
    pub(crate) async fn connect(ws_url: &str) -> Result<Cdp, BrowserError> {
        let (socket, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .map_err(|e| BrowserError::Launch(format!("DevTools socket {ws_url}: {e}")))?;
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Message>();
        let routes = Arc::new(Mutex::new(Routes::default()));
        let closed = Arc::new(AtomicBool::new(false));
        tokio::spawn(async move {
            while let Some(message) = queue.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let (reader_routes, reader_closed) = (Arc::clone(&routes), Arc::clone(&closed));
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message {
                    dispatch(&reader_routes, text.as_str());
                }
            }
            reader_closed.store(true, Ordering::SeqCst);
            // Dropping the senders tells every waiting caller and session the browser is gone.
            let mut routes = lock(&reader_routes);
            routes.replies.clear();
            routes.sessions.clear();
        });
        Ok(Cdp {
            next_id: AtomicU64::new(1),
            outgoing,
            routes,
            closed,
        })
    }

    /// Whether the socket closed (the browser exited or crashed).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// The events sent to `session` from now on, until [`Cdp::forget`] or the socket closes.
    pub(crate) fn subscribe(&self, session: &str) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.routes).sessions.insert(session.to_string(), tx);
        rx
    }

    /// Stops routing events to `session`.
    pub(crate) fn forget(&self, session: &str) {
        lock(&self.routes).sessions.remove(session);
    }

    /// Sends a command (to the browser, or to an attached `session`) and waits for its result
    /// until `deadline`.
    pub(crate) async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<Value, BrowserError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut command = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            command["sessionId"] = Value::from(s);
        }
        let (tx, rx) = oneshot::channel();
        lock(&self.routes).replies.insert(id, tx);
        if self.is_closed()
            || self
                .outgoing
                .send(Message::text(command.to_string()))
                .is_err()
        {
            lock(&self.routes).replies.remove(&id);
            return Err(BrowserError::Closed);
        }
        match timeout_at(deadline, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(BrowserError::Closed),
            Err(_) => {
                lock(&self.routes).replies.remove(&id);
                Err(BrowserError::Timeout(format!("no answer to {method}")))
            }
        }
    }
}

/// Routes one message: a command's result to its caller, an event to its session.
fn dispatch(routes: &Mutex<Routes>, text: &str) {
    let Ok(mut message) = serde_json::from_str::<Value>(text) else {
        tracing::debug!("DevTools sent a message that is not JSON");
        return;
    };
    let mut routes = lock(routes);
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let Some(reply) = routes.replies.remove(&id) else {
            return;
        };
        let result = if let Some(error) = message.get("error") {
            let text = error.get("message").and_then(Value::as_str);
            Err(BrowserError::Protocol(
                text.unwrap_or("unknown error").to_string(),
            ))
        } else {
            Ok(message
                .get_mut("result")
                .map(Value::take)
                .unwrap_or_default())
        };
        let _ = reply.send(result);
        return;
    }
    let session = message
        .get("sessionId")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(events) = routes.sessions.get(session) else {
        return;
    };
    let event = Event {
        method: message["method"].as_str().unwrap_or("").to_string(),
        params: message
            .get_mut("params")
            .map(Value::take)
            .unwrap_or_default(),
    };
    let _ = events.send(event);
}
