// The process protocol's transport (docs/PROTOCOL.md): one JSON input per line on stdin, exactly
// one JSON line on stdout for each, flushed before the next input is read, since the harness
// waits for it.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

/// Answers every input line with `handle` until stdin ends; an error ends the program with a line
/// on stderr naming the adapter, and exit code 1.
pub fn serve(adapter: &str, mut handle: impl FnMut(&str) -> Result<String, String>) -> ExitCode {
    match serve_lines(&mut handle) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{} adapter: {}", adapter, error);
            ExitCode::FAILURE
        }
    }
}

fn serve_lines(handle: &mut impl FnMut(&str) -> Result<String, String>) -> Result<(), String> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut output = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut line = String::new();
    loop {
        line.clear();
        if input
            .read_line(&mut line)
            .map_err(|error| error.to_string())?
            == 0
        {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let answer = handle(&line)?;
        output
            .write_all(answer.as_bytes())
            .and_then(|()| output.write_all(b"\n"))
            .map_err(|error| error.to_string())?;
        // The harness waits for this line before it sends the next input.
        output.flush().map_err(|error| error.to_string())?;
    }
}
