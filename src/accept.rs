//! The accept loop of every listener arcana serves — the control socket, the metrics listener and
//! the web side: accept until shutdown, hand each connection to the server, and back off after a
//! failed `accept`. An error there (out of file descriptors, mostly) repeats at once if retried
//! at once, and a server loop that spins on it starves the process. What a server does with a
//! connection — checking its peer, taking a slot, spawning its exchange — stays the server's.

use std::{future::Future, io, net::SocketAddr, time::Duration};

use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream, unix};
use tokio_util::sync::CancellationToken;

/// A listener the loop accepts from: TCP or a Unix socket.
pub trait Listener {
    /// An accepted connection.
    type Stream;
    /// The address of its peer.
    type Peer;
    /// Waits for the next connection.
    fn next_connection(&self) -> impl Future<Output = io::Result<(Self::Stream, Self::Peer)>> + Send;
}

impl Listener for TcpListener {
    type Stream = TcpStream;
    type Peer = SocketAddr;

    fn next_connection(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send {
        self.accept()
    }
}

impl Listener for UnixListener {
    type Stream = UnixStream;
    type Peer = unix::SocketAddr;

    fn next_connection(&self) -> impl Future<Output = io::Result<(UnixStream, unix::SocketAddr)>> + Send {
        self.accept()
    }
}

/// Accepts connections on `listener` until `shutdown`, handing each to `serve` with its peer's
/// address. After a failed accept it logs the error for `server` and waits before the next: 10
/// ms after a first error, doubling to 1 s; none after a success.
pub async fn until_shutdown<L: Listener>(
    listener: &L,
    server: &str,
    shutdown: &CancellationToken,
    mut serve: impl FnMut(L::Stream, L::Peer),
) {
    let mut backoff = Backoff::default();
    loop {
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.next_connection() => match accepted {
                Ok(accepted) => {
                    backoff.reset();
                    accepted
                }
                Err(e) => {
                    backoff.after_error(server, &e).await;
                    continue;
                }
            },
        };
        serve(stream, peer);
    }
}

/// The wait before the next `accept`.
#[derive(Debug, Default)]
struct Backoff {
    wait: Duration,
}

impl Backoff {
    /// An accept succeeded.
    fn reset(&mut self) {
        self.wait = Duration::ZERO;
    }

    /// An accept failed: the next wait.
    fn failed(&mut self) -> Duration {
        self.wait = (self.wait * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
        self.wait
    }

    /// An accept failed: logs it for `server` and sleeps the next wait.
    async fn after_error(&mut self, server: &str, error: &io::Error) {
        let wait = self.failed();
        tracing::warn!(server, error = %error, wait_ms = wait.as_millis(), "accept failed; backing off");
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_are_handed_over_until_shutdown() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shutdown = CancellationToken::new();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let serving = {
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                until_shutdown(&listener, "test", &shutdown, |_stream, peer: SocketAddr| {
                    let _ = tx.send(peer);
                })
                .await;
            })
        };
        let client = TcpStream::connect(addr).await.expect("connect");
        let peer = rx.recv().await.expect("handed over");
        assert_eq!(peer, client.local_addr().expect("client addr"));
        shutdown.cancel();
        serving.await.expect("the loop ends on shutdown");
    }

    #[test]
    fn the_wait_doubles_to_a_second_and_resets() {
        let mut backoff = Backoff::default();
        let waits: Vec<u128> = (0..9).map(|_| backoff.failed().as_millis()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.failed(), Duration::from_millis(10));
    }
}
