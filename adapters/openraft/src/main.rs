// openraft under raftcheck's process protocol: reads one JSON input per line on stdin and writes
// exactly one JSON line on stdout for each (raftcheck-rs's stdio loop). openraft logs through
// `tracing`, with no subscriber installed here: it writes nothing.

use std::process::ExitCode;

use raftcheck_openraft::Session;

fn main() -> ExitCode {
    let mut session = Session::new();
    raftcheck_rs::stdio::serve("openraft", |line| session.handle(line))
}
