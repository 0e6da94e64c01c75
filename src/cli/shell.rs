//! What shells and `man` read, generated from the command line's definition: completion scripts
//! (clap_complete) and the manual page (clap_mangen).

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::Cli;
use super::output::{self, CliError};
use super::{exit, printed};

/// `ekscheck completions SHELL`.
pub(super) fn completions(shell: Shell) -> Result<u8, CliError> {
    let mut script = Vec::new();
    // clap_complete panics when its writer fails: it writes to memory, stdout is written after.
    clap_complete::generate(shell, &mut Cli::command(), "ekscheck", &mut script);
    printed(&String::from_utf8_lossy(&script))
}

/// `ekscheck man`: the page of `ekscheck`, then the page of each subcommand (`ekscheck-run(1)`
/// and the others its list of subcommands names), in one roff document.
pub(super) fn man() -> Result<u8, CliError> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let subcommands = command.get_subcommands().filter(|sub| !sub.is_hide_set());
    let pages: Vec<clap::Command> = std::iter::once(&command)
        .chain(subcommands)
        .cloned()
        .collect();
    // Every page's footer names the build, as the first page's does.
    let source = format!("ekscheck {}", command.get_version().unwrap_or_default());
    let mut stdout = std::io::stdout().lock();
    let written = pages
        .into_iter()
        .try_for_each(|page| {
            let page = clap_mangen::Man::new(page).source(&source);
            page.render(&mut stdout)
        })
        .and_then(|()| stdout.flush());
    written
        .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()))
        .map(|()| exit::PASSED)
}
