// openraft under raftcheck's process protocol: reads one JSON input per line on stdin and writes
// exactly one JSON line on stdout for each. openraft logs through `tracing`, with no subscriber
// installed here: it writes nothing.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use raftcheck_openraft::Session;

fn main() -> ExitCode {
    let mut session = Session::new();
    match serve(&mut session) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("openraft adapter: {}", error);
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
