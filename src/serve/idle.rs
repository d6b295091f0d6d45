//! Connections that do nothing are closed.
//!
//! `pufa serve` stays open all day. A browser keeps idle keep-alive connections, a phone on
//! the LAN may vanish mid-request, and a client may open a connection and send nothing:
//! without a limit each holds a socket and a task for good. Every accepted connection is
//! wrapped so that any read or write that makes progress restarts a clock, and a connection
//! whose clock runs out fails its next wait, which closes it. The reload WebSocket is pinged
//! more often than the limit, so open pages are never cut off.

use axum::serve::Listener;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// How long a connection may do nothing.
pub const IDLE: Duration = Duration::from_secs(60);

/// A listener whose connections close after [`IDLE`] without traffic.
pub struct IdleListener(pub TcpListener);

impl Listener for IdleListener {
    type Io = Idle;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Idle, std::net::SocketAddr) {
        let (io, addr) = Listener::accept(&mut self.0).await;
        let _ = io.set_nodelay(true);
        (Idle::new(io, IDLE), addr)
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.local_addr()
    }
}

/// A connection with a clock.
pub struct Idle {
    io: TcpStream,
    limit: Duration,
    clock: Pin<Box<Sleep>>,
}

impl Idle {
    fn new(io: TcpStream, limit: Duration) -> Idle {
        Idle {
            io,
            limit,
            clock: Box::pin(tokio::time::sleep(limit)),
        }
    }

    fn restart(&mut self) {
        let limit = self.limit;
        self.clock.as_mut().reset(Instant::now() + limit);
    }

    /// `Pending` as long as the clock runs; an error once it has run out.
    fn waited<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.clock.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no traffic on the connection",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Idle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                self.restart();
                Poll::Ready(result)
            }
            Poll::Pending => self.waited(cx),
        }
    }
}

impl AsyncWrite for Idle {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, buf) {
            Poll::Ready(result) => {
                self.restart();
                Poll::Ready(result)
            }
            Poll::Pending => self.waited(cx),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn a_silent_connection_fails_after_the_limit() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let _client = TcpStream::connect(address).await.unwrap();
        let (io, _) = listener.accept().await.unwrap();
        let started = std::time::Instant::now();
        let mut idle = Idle::new(io, Duration::from_millis(200));
        let mut buf = [0u8; 8];
        let err = idle.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}
