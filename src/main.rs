//! The `pufa` command: all the work happens in the library.

fn main() -> std::process::ExitCode {
    pufa::cli::run()
}
