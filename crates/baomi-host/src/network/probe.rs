//! The opt-in outbound probe: try a TCP connection to each of the policy's targets and say which
//! succeeded. Targets run on their own threads so five targets with a 3 s timeout take about 3 s, not
//! 15; name resolution has no timeout of its own, so the caller stops waiting at a deadline and a
//! target still resolving then is reported as timed out.

use baomi_core::ProbeResult;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Targets probed at most (threads started at once).
const MAX_TARGETS: usize = 64;
/// Addresses of one name tried at most.
const MAX_ADDRS: usize = 4;

/// Probe every target (`host:port`) with `timeout` per connection attempt.
pub fn probe(targets: &[String], timeout: Duration) -> Vec<ProbeResult> {
    let (tx, rx) = mpsc::channel::<(usize, ProbeResult)>();
    let targets: Vec<String> = targets.iter().take(MAX_TARGETS).cloned().collect();
    for (i, target) in targets.iter().enumerate() {
        let thread_tx = tx.clone();
        let thread_target = target.clone();
        let spawned = std::thread::Builder::new()
            .name("baomi-probe".into())
            .spawn(move || {
                let r = probe_one(&thread_target, timeout);
                // The receiver may have stopped waiting: nothing to do then.
                let _ = thread_tx.send((i, r));
            });
        if let Err(e) = spawned {
            let _ = tx.send((
                i,
                ProbeResult {
                    target: target.clone(),
                    connected: false,
                    error: Some(format!("could not start a thread: {e}")),
                    millis: 0,
                },
            ));
        }
    }
    drop(tx);
    let mut results: Vec<Option<ProbeResult>> = vec![None; targets.len()];
    // Resolution plus up to MAX_ADDRS attempts, with room to spare.
    let deadline = Instant::now() + timeout * (MAX_ADDRS as u32 + 1) + Duration::from_secs(2);
    let mut pending = targets.len();
    while pending > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, r)) => {
                if let Some(slot) = results.get_mut(i) {
                    *slot = Some(r);
                    pending -= 1;
                }
            }
            Err(_) => break,
        }
    }
    targets
        .into_iter()
        .zip(results)
        .map(|(target, r)| {
            r.unwrap_or_else(|| ProbeResult {
                error: Some("no answer before the deadline (name resolution hung)".into()),
                target,
                connected: false,
                millis: deadline_millis(timeout),
            })
        })
        .collect()
}

fn deadline_millis(timeout: Duration) -> u64 {
    (timeout * (MAX_ADDRS as u32 + 1)).as_millis() as u64
}

fn probe_one(target: &str, timeout: Duration) -> ProbeResult {
    let clock = Instant::now();
    let done = |connected: bool, error: Option<String>| ProbeResult {
        target: target.to_owned(),
        connected,
        error,
        millis: clock.elapsed().as_millis() as u64,
    };
    let addrs: Vec<SocketAddr> = match target.to_socket_addrs() {
        Ok(a) => a.take(MAX_ADDRS).collect(),
        Err(e) => return done(false, Some(format!("name not resolved: {e}"))),
    };
    if addrs.is_empty() {
        return done(false, Some("name resolved to no address".into()));
    }
    let mut last = String::new();
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return done(true, None),
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    done(false, Some(last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn listeners_on_loopback() {
        let open = TcpListener::bind("127.0.0.1:0").expect("bind");
        let open_addr = open.local_addr().expect("addr").to_string();
        // A port that was bound and released: nothing listens there now.
        let closed_addr = {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").to_string()
        };
        let clock = Instant::now();
        let results = probe(
            &[
                open_addr.clone(),
                closed_addr.clone(),
                "127.0.0.1:notaport".into(),
            ],
            Duration::from_millis(500),
        );
        assert!(
            clock.elapsed() < Duration::from_secs(3),
            "{:?}",
            clock.elapsed()
        );
        let got: Vec<(String, bool, bool)> = results
            .iter()
            .map(|r| (r.target.clone(), r.connected, r.error.is_some()))
            .collect();
        assert_eq!(
            got,
            [
                (open_addr, true, false),
                (closed_addr, false, true),
                ("127.0.0.1:notaport".into(), false, true),
            ]
        );
    }
}
