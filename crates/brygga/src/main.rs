use clap::{Parser, Subcommand};

/// Brygga — brottsförebyggande samverkan.
#[derive(Parser)]
#[command(name = "brygga", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Statistical analysis of CSV/GeoJSON files; prints JSON.
    Analys(brygga_analys_cli::AnalysArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analys(args) => {
            let mut out = std::io::stdout().lock();
            match brygga_analys_cli::run(&args, &mut out) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("fel: {e}");
                    std::process::ExitCode::from(2)
                }
            }
        }
    }
}
