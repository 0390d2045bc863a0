// raft-rs under raftcheck's process protocol: reads one JSON input per line on stdin and writes
// exactly one JSON line on stdout for each (raftcheck-rs's stdio loop); raft-rs's log goes to
// stderr only.
//
// Set RAFTCHECK_RAFT_RS_LOG=info (or debug) to see raft-rs's own log lines; by default only its
// warnings and errors are written, since a run feeds every node thousands of inputs.

use std::process::ExitCode;

use raftcheck_raft_rs::{stderr_logger, Session};

fn main() -> ExitCode {
    let level = match std::env::var("RAFTCHECK_RAFT_RS_LOG").as_deref() {
        Ok("debug") => slog::Level::Debug,
        Ok("info") => slog::Level::Info,
        _ => slog::Level::Warning,
    };
    let mut session = Session::new(stderr_logger(level));
    raftcheck_rs::stdio::serve("raft-rs", |line| session.handle(line))
}
