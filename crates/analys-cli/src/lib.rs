//! The `brygga analys` command family: input readers and JSON output around `brygga-analys`.

/// `brygga analys <command>`.
#[derive(Debug, clap::Args)]
pub struct AnalysArgs {}

/// Runs one analysis command, writing its JSON result to `out`.
pub fn run(_args: &AnalysArgs, _out: &mut dyn std::io::Write) -> Result<(), String> {
    Err("ingen analys vald".to_owned())
}
