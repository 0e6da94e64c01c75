//! The `ekscheck` command.

/// mimalloc: loading a pack allocates much, and glibc's and musl's allocators are slower at it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ekscheck::cli::main()
}
