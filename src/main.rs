//! The `ekscheck` command.

fn main() -> std::process::ExitCode {
    ekscheck::cli::main()
}
