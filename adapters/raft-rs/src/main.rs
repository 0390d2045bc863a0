// raft-rs under raftcheck's process protocol: reads one JSON input per line on stdin and writes
// exactly one JSON line on stdout for each; raft-rs's log goes to stderr only.
//
// Set RAFTCHECK_RAFT_RS_LOG=info (or debug) to see raft-rs's own log lines; by default only its
// warnings and errors are written, since a run feeds every node thousands of inputs.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use raftcheck_raft_rs::{stderr_logger, Session};

fn main() -> ExitCode {
    let level = match std::env::var("RAFTCHECK_RAFT_RS_LOG").as_deref() {
        Ok("debug") => slog::Level::Debug,
        Ok("info") => slog::Level::Info,
        _ => slog::Level::Warning,
    };
    let mut session = Session::new(stderr_logger(level));
    match serve(&mut session) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("raft-rs adapter: {}", error);
            ExitCode::FAILURE
        }
    }
}

/// Answers every input line with one output line until stdin ends.
fn serve(session: &mut Session) -> Result<(), String> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut output = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|error| error.to_string())? == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let answer = session.handle(&line)?;
        output
            .write_all(answer.as_bytes())
            .and_then(|()| output.write_all(b"\n"))
            .map_err(|error| error.to_string())?;
        // The harness waits for this line before it sends the next input.
        output.flush().map_err(|error| error.to_string())?;
    }
}
