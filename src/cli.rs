//! The command line: clap definitions, one library call per subcommand (`iacgen::commands`), printing
//! its report (`iacgen::render`), exit codes. Exit 0 success, 1 drift (`check`, `diff --exit-code`),
//! 2 an invalid model or a misused command.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use iacgen::commands::{self, Options, Outcome, Stop, Warnings};
use iacgen::diagnostic::Diagnostics;
use iacgen::pipeline::Failure;
use iacgen::render::diff::DiffFormat;
use iacgen::render::{self, HumanOptions};
use iacgen::shared::span::SourceMap;
use iacgen::shared::{Filter, Target};

/// Compile one platform model into Terraform, Helm, docker-compose and ECS task definitions.
#[derive(Parser, Debug)]
#[command(name = "iacgen", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug, Clone)]
struct Common {
    /// Start in DIR instead of the current directory.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    chdir: Option<PathBuf>,
    /// Only these environments (repeatable).
    #[arg(long = "env", global = true, value_name = "NAME")]
    environments: Vec<String>,
    /// Only these targets (repeatable).
    #[arg(long = "target", global = true, value_name = "NAME")]
    targets: Vec<TargetArg>,
    /// Diagnostics format.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Print only problems.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile and write the output folder.
    Build {
        /// Also remove hand-edited stale files and overwrite files iacgen did not generate.
        #[arg(long)]
        force: bool,
        /// Exit 1 when the build wrote or removed any file (as formatters' --check does), so a
        /// pre-commit hook fails and the regenerated files can be reviewed and staged.
        #[arg(long)]
        exit_code: bool,
    },
    /// Compare the output folder with the model; exit 1 on drift.
    Check,
    /// Show what `build` would change (or, with --base, what the model change since REV does).
    Diff {
        /// Compile the model as it was at this git revision and diff against the working tree.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Exit 1 when anything differs.
        #[arg(long)]
        exit_code: bool,
        /// Diff output format (overrides --format for the diff itself).
        #[arg(long = "diff-format", value_enum)]
        diff_format: Option<DiffFormatArg>,
    },
    /// Draw the platform: services, jobs, resources, gateways, and where each lands per environment.
    ///
    /// Prints a Mermaid flowchart (default), DOT (`--format dot`) or an SVG picture laid out by
    /// iacgen itself (`--format svg`). `--env NAME` draws one environment (repeatable); without
    /// it, every environment, each node listing its targets per environment.
    /// Example: `iacgen graph --format svg > graph.svg`.
    Graph,
    /// Load, validate and resolve only.
    Validate,
    /// Print a resolved service (or job) with the origin of each value.
    Explain { environment: String, service: String },
    /// Write a working example model.
    Init { directory: Option<PathBuf> },
    /// Write the git-ignored compose .env of a development environment, with random local secrets.
    ///
    /// Example: `iacgen env development` writes deploy/compose/development/.env (mode 0600) with a
    /// random value for every name .env.example lists. An existing .env is never rewritten: only the
    /// names it lacks are appended. Values are never printed.
    Env {
        /// A development-stage environment that targets compose.
        environment: String,
    },
    /// Write a model from an existing deployment file, reporting what does not map.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Print the JSON Schema of iacgen.yaml.
    Schema,
    /// List the rules: code, default severity, what it checks, how to fix.
    Rules,
}

#[derive(Subcommand, Debug)]
enum ImportSource {
    /// Read a docker-compose file and write iacgen.yaml (never overwrites one).
    Compose {
        /// The compose file.
        file: PathBuf,
        /// The folder to write iacgen.yaml in (default: the current directory).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
        /// Print every note, not only what may not work as it did and the counts per kind.
        #[arg(short = 'v', long = "verbose")]
        verbose: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum TargetArg {
    Compose,
    Helm,
    Aws,
    Azure,
    Ecs,
}

impl From<TargetArg> for Target {
    fn from(target: TargetArg) -> Target {
        match target {
            TargetArg::Compose => Target::Compose,
            TargetArg::Helm => Target::Helm,
            TargetArg::Aws => Target::Aws,
            TargetArg::Azure => Target::Azure,
            TargetArg::Ecs => Target::Ecs,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum FormatArg {
    Human,
    Json,
    Github,
    Unified,
    Stat,
    Markdown,
    // `graph` only (plain comments: value docs would turn every `--help` into the long layout).
    Mermaid,
    Dot,
    Svg,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum DiffFormatArg {
    Unified,
    Stat,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

/// The exit status: 0, 1 (drift only), 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitStatus {
    Success,
    Drift,
    Failure,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Drift => ExitCode::from(1),
            ExitStatus::Failure => ExitCode::from(2),
        }
    }
}

/// Parse and run.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::from(0) };
        }
    };
    run(cli).into()
}

/// How to print: the common flags.
struct Printer {
    common: Common,
}

impl Printer {
    fn color(&self, stream_is_terminal: bool) -> bool {
        match self.common.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn options(&self) -> Options {
        let filter = Filter {
            environments: self.common.environments.clone(),
            targets: self.common.targets.iter().map(|t| Target::from(*t)).collect(),
        };
        Options { chdir: self.common.chdir.clone(), filter }
    }

    /// The format of diagnostics and of `check`'s drift.
    fn format(&self) -> render::Format {
        match self.common.format {
            FormatArg::Json => render::Format::Json,
            FormatArg::Github => render::Format::Github,
            _ => render::Format::Human,
        }
    }

    /// Print diagnostics to stderr in the chosen format.
    fn diagnostics(&self, diagnostics: &Diagnostics, sources: &SourceMap) {
        if diagnostics.is_empty() {
            return;
        }
        let human = HumanOptions { color: self.color(std::io::stderr().is_terminal()), width: 100 };
        let text = render::diagnostics(diagnostics, sources, self.format(), human);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn warnings(&self, warnings: &Warnings) {
        self.diagnostics(&warnings.diagnostics, &warnings.sources);
    }

    fn stop(&self, stop: &Stop) -> ExitStatus {
        match stop {
            Stop::Invalid { heading, failure } => self.invalid(heading.as_deref(), failure),
            Stop::Error(message) => {
                eprintln!("error: {message}");
                ExitStatus::Failure
            }
        }
    }

    /// An invalid model: a heading line if any, then its diagnostics.
    fn invalid(&self, heading: Option<&str>, failure: &Failure) -> ExitStatus {
        if let Some(heading) = heading {
            eprintln!("{heading}");
        }
        self.diagnostics(&failure.diagnostics, &failure.sources);
        ExitStatus::Failure
    }

    /// Print the warnings, then the report with `done` or why the command stopped.
    fn outcome<T>(&self, outcome: Outcome<T>, done: impl FnOnce(&Printer, &T) -> ExitStatus) -> ExitStatus {
        self.warnings(&outcome.warnings);
        match &outcome.result {
            Ok(report) => {
                let status = done(self, report);
                // The process ends after this command: freeing the compiled model (tens of
                // thousands of strings) one by one would only cost time.
                std::mem::forget(outcome);
                status
            }
            Err(stop) => self.stop(stop),
        }
    }

    /// Print to stdout unless `-q`.
    fn say(&self, text: &str) {
        if !self.common.quiet {
            print!("{text}");
        }
    }
}

fn run(cli: Cli) -> ExitStatus {
    let printer = Printer { common: cli.common.clone() };
    let options = printer.options();
    match cli.command {
        Command::Schema => {
            print!("{}", iacgen::schema::SCHEMA);
            ExitStatus::Success
        }
        Command::Rules => {
            print!("{}", render::rules());
            ExitStatus::Success
        }
        Command::Init { directory } => printer.outcome(commands::init::run(&options, directory), |p, done| {
            p.say(&format!("wrote {}\nnext: iacgen build -C {}\n", done.path.display(), done.dir.display()));
            ExitStatus::Success
        }),
        Command::Import { source: ImportSource::Compose { file, output, verbose } } => {
            printer.outcome(commands::import::compose(&options, &file, output), |p, done| {
                eprint!("{}", done.import.report());
                if verbose {
                    eprint!("{}", done.import.details());
                }
                match &done.validation {
                    Ok(warnings) => {
                        p.warnings(warnings);
                        p.say(&format!("wrote {}\nnext: iacgen build -C {}\n", done.path.display(), done.dir.display()));
                        ExitStatus::Success
                    }
                    Err(failure) => p.invalid(
                        Some("error: the imported model does not validate; this is a bug in the importer, please report it"),
                        failure,
                    ),
                }
            })
        }
        Command::Build { force, exit_code } => printer.outcome(commands::build::run(&options, force), |p, built| {
            p.say(&render::human::build_summary(built));
            eprint!("{}", render::human::build_warnings(built));
            let changed = built.report.written.len() + built.report.removed.len();
            if exit_code && changed > 0 {
                eprintln!("error: {}", render::human::build_changed(&built.output, changed));
                return ExitStatus::Drift;
            }
            ExitStatus::Success
        }),
        Command::Graph => {
            let format = match printer.common.format {
                FormatArg::Human | FormatArg::Mermaid => render::GraphFormat::Mermaid,
                FormatArg::Dot => render::GraphFormat::Dot,
                FormatArg::Svg => render::GraphFormat::Svg,
                _ => return printer.stop(&Stop::Error(String::from("graph draws --format mermaid (the default), dot or svg"))),
            };
            printer.outcome(commands::graph::run(&options), |_, drawn| {
                print!("{}", render::graph(&drawn.graph, format));
                ExitStatus::Success
            })
        }
        Command::Env { environment } => printer.outcome(commands::env::run(&options, &environment), |p, written| {
            p.say(&render::human::env_written(&written.report));
            eprint!("{}", render::human::env_warnings(&written.report, &environment));
            ExitStatus::Success
        }),
        Command::Check => printer.outcome(commands::check::run(&options), |p, checked| {
            let output = &checked.output;
            if checked.in_sync() {
                p.say(&format!("{output}: in sync with the model ({} files)\n", checked.compiled.files.files.len()));
                return ExitStatus::Success;
            }
            let color = p.color(std::io::stdout().is_terminal());
            print!("{}", render::drift(&checked.drift, output, checked.manifest_stale, p.format(), color));
            eprintln!("error: {}", render::human::out_of_date(output, checked.drift.len()));
            ExitStatus::Drift
        }),
        Command::Diff { base, exit_code, diff_format } => {
            let format = diff_format_of(diff_format, printer.common.format);
            printer.outcome(commands::diff::run(&options, base.as_deref()), |p, diffed| {
                let color = p.color(std::io::stdout().is_terminal());
                print!("{}", render::diff::render(diffed, format, color));
                if exit_code && !diffed.changes.is_empty() { ExitStatus::Drift } else { ExitStatus::Success }
            })
        }
        Command::Validate => printer.outcome(commands::validate::run(&options), |p, validated| {
            p.say(&format!(
                "ok: {} services, {} jobs, {} resources, {} environments\n",
                validated.services, validated.jobs, validated.resources, validated.environments
            ));
            ExitStatus::Success
        }),
        Command::Explain { environment, service } => {
            printer.outcome(commands::explain::run(&options, &environment, &service), |p, explained| {
                let text = if p.common.format == FormatArg::Json {
                    render::explain::json(explained)
                } else {
                    render::explain::text(explained)
                };
                print!("{text}");
                ExitStatus::Success
            })
        }
    }
}

/// `--diff-format`, else the diff formats `--format` also accepts; unified by default.
fn diff_format_of(diff_format: Option<DiffFormatArg>, format: FormatArg) -> DiffFormat {
    match (diff_format, format) {
        (Some(DiffFormatArg::Unified), _)
        | (None, FormatArg::Unified | FormatArg::Human | FormatArg::Github)
        | (None, FormatArg::Mermaid | FormatArg::Dot | FormatArg::Svg) => DiffFormat::Unified,
        (Some(DiffFormatArg::Stat), _) | (None, FormatArg::Stat) => DiffFormat::Stat,
        (Some(DiffFormatArg::Markdown), _) | (None, FormatArg::Markdown) => DiffFormat::Markdown,
        (Some(DiffFormatArg::Json), _) | (None, FormatArg::Json) => DiffFormat::Json,
    }
}
