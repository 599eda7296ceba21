//! The command line: clap definitions, one library call per subcommand, printing, exit codes.
//! Exit 0 success, 1 drift (`check`, `diff --exit-code`), 2 an invalid model or a misused command.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use iacgen::diagnostic::render::{self, HumanOptions};
use iacgen::diagnostic::{Diagnostic, Diagnostics, codes};
use iacgen::ir::Target;
use iacgen::output::changes::{self, Change};
use iacgen::output::diff::{self, DiffFormat};
use iacgen::output::write::{self, WriteOptions};
use iacgen::source::reader::Reader;
use iacgen::source::span::SourceMap;
use iacgen::targets::Filter;
use iacgen::{Compiled, Failure};

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
    /// Load, validate and resolve only.
    Validate,
    /// Print a resolved service (or job) with the origin of each value.
    Explain { environment: String, service: String },
    /// Write a working example model.
    Init { directory: Option<PathBuf> },
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

struct Context {
    common: Common,
}

impl Context {
    fn color(&self, stream_is_terminal: bool) -> bool {
        match self.common.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn filter(&self) -> Filter {
        Filter {
            environments: self.common.environments.clone(),
            targets: self.common.targets.iter().map(|t| Target::from(*t)).collect(),
        }
    }

    /// Print diagnostics to stderr in the chosen format.
    fn report(&self, diagnostics: &Diagnostics, sources: &SourceMap) {
        if diagnostics.is_empty() {
            return;
        }
        let format = match self.common.format {
            FormatArg::Json => render::Format::Json,
            FormatArg::Github => render::Format::Github,
            _ => render::Format::Human,
        };
        let human = HumanOptions { color: self.color(std::io::stderr().is_terminal()), width: 100 };
        let text = render::render(diagnostics, sources, format, human);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn fail(&self, failure: &Failure) -> ExitStatus {
        self.report(&failure.diagnostics, &failure.sources);
        ExitStatus::Failure
    }

    fn error(&self, message: &str) -> ExitStatus {
        eprintln!("error: {message}");
        ExitStatus::Failure
    }

    fn say(&self, text: &str) {
        if !self.common.quiet {
            print!("{text}");
        }
    }
}

fn run(cli: Cli) -> ExitStatus {
    let context = Context { common: cli.common.clone() };
    match cli.command {
        Command::Schema => {
            print!("{}", iacgen::schema::SCHEMA);
            ExitStatus::Success
        }
        Command::Rules => {
            print!("{}", rules_text());
            ExitStatus::Success
        }
        Command::Init { directory } => init(&context, directory),
        Command::Import { source: ImportSource::Compose { file, output } } => import_compose(&context, &file, output),
        command => {
            let root = match find_root(context.common.chdir.as_deref()) {
                Ok(root) => root,
                Err(diagnostic) => {
                    context.report(&Diagnostics::from(diagnostic), &SourceMap::default());
                    return ExitStatus::Failure;
                }
            };
            let reader = Reader::Disk { root: root.clone() };
            match command {
                Command::Build { force } => build(&context, &root, &reader, force),
                Command::Check => check(&context, &root, &reader),
                Command::Diff { base, exit_code, diff_format } => {
                    diff_command(&context, &root, &reader, base, exit_code, diff_format)
                }
                Command::Validate => validate(&context, &reader),
                Command::Explain { environment, service } => explain(&context, &reader, &environment, &service),
                Command::Schema | Command::Rules | Command::Init { .. } | Command::Import { .. } => ExitStatus::Success,
            }
        }
    }
}

/// The folder holding iacgen.yaml: `start` (or the current directory) or its nearest parent that has one.
fn find_root(start: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    let start = match start {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir()
            .map_err(|e| Diagnostic::global(codes::MODEL_NOT_FOUND, format!("no current directory: {e}")))?,
    };
    if !start.is_dir() {
        return Err(Diagnostic::global(codes::MODEL_NOT_FOUND, format!("`{}` is not a folder", start.display()))
            .with_help(codes::MODEL_NOT_FOUND.fix));
    }
    let mut dir = Some(start.as_path());
    while let Some(current) = dir {
        if current.join(iacgen::source::MODEL_FILE).is_file() {
            return Ok(current.to_path_buf());
        }
        dir = current.parent();
    }
    Err(Diagnostic::global(
        codes::MODEL_NOT_FOUND,
        format!("no {} in `{}` or any parent folder", iacgen::source::MODEL_FILE, start.display()),
    )
    .with_help(codes::MODEL_NOT_FOUND.fix))
}

fn compile(context: &Context, reader: &Reader) -> Result<Compiled, ExitStatus> {
    compile_alongside(context, reader, |_| ()).map(|(compiled, ())| compiled)
}

fn compile_alongside<T: Send>(
    context: &Context,
    reader: &Reader,
    alongside: impl FnOnce(&iacgen::ir::Compilation) -> T + Send,
) -> Result<(Compiled, T), ExitStatus> {
    match iacgen::compile_alongside(reader, &context.filter(), alongside) {
        Ok((compiled, extra)) => {
            context.report(&compiled.resolved.diagnostics, &compiled.resolved.sources);
            Ok((compiled, extra))
        }
        Err(failure) => Err(context.fail(&failure)),
    }
}

fn build(context: &Context, root: &Path, reader: &Reader, force: bool) -> ExitStatus {
    let compiled = match compile(context, reader) {
        // The process ends after this command: freeing tens of thousands of strings one by one
        // would only cost time.
        Ok(compiled) => std::mem::ManuallyDrop::new(compiled),
        Err(status) => return status,
    };
    let output = compiled.resolved.compilation.output.clone();
    let options = WriteOptions { force, model_file: iacgen::source::MODEL_FILE.to_string() };
    let report = match write::build(root, &output, &compiled.files, &context.filter(), &options) {
        Ok(report) => report,
        Err(error) => return context.error(&error.message),
    };
    let mut summary = String::new();
    for target in Target::ALL {
        let prefix = |path: &String| path_target(path) == Some(target);
        let total = compiled.files.files.values().filter(|f| f.target == target).count();
        if total == 0 && !report.removed.iter().any(prefix) {
            continue;
        }
        let written = report.written.iter().filter(|p| prefix(p)).count();
        let removed = report.removed.iter().filter(|p| prefix(p)).count();
        summary.push_str(&format!(
            "{:<8} {total} files: {written} written, {} unchanged, {removed} removed\n",
            target.as_str(),
            total - written
        ));
    }
    // Every removal is named (and one no target claims is counted too), so nothing disappears unseen.
    let unclaimed = report.removed.iter().filter(|path| path_target(path).is_none()).count();
    if unclaimed > 0 {
        summary.push_str(&format!("{:<8} {unclaimed} removed\n", "other"));
    }
    for path in &report.removed {
        summary.push_str(&format!("removed  {output}/{path}\n"));
    }
    if summary.is_empty() {
        summary.push_str("no environment names a target: nothing to generate\n");
    }
    context.say(&summary);
    for path in &report.overwritten_edits {
        eprintln!(
            "warning: `{output}/{path}` had been edited by hand; it was regenerated (use patches: in the model to keep a change)"
        );
    }
    for path in &report.kept {
        eprintln!(
            "warning: `{output}/{path}` is no longer generated but was edited by hand, so it was kept (remove it, or build --force)"
        );
    }
    ExitStatus::Success
}

/// The target an output path belongs to.
fn path_target(path: &str) -> Option<Target> {
    let (target, _) = diff::scope_of(path);
    Target::parse(&target)
}

fn check(context: &Context, root: &Path, reader: &Reader) -> ExitStatus {
    // The committed manifest is read (under a shared lock, held to the end) while the targets render.
    let read_manifest =
        |compilation: &iacgen::ir::Compilation| changes::read_manifest_locked(&root.join(&compilation.output));
    let (compiled, _lock, previous) = match compile_alongside(context, reader, read_manifest) {
        // The process ends after this command: freeing tens of thousands of strings one by one
        // would only cost time.
        Ok((compiled, (lock, previous))) => {
            (std::mem::ManuallyDrop::new(compiled), lock, std::mem::ManuallyDrop::new(previous))
        }
        Err(status) => return status,
    };
    let output = &compiled.resolved.compilation.output;
    let owner = iacgen::output::manifest::owner(output, iacgen::source::MODEL_FILE);
    if let Err(error) = previous.check_damage(output, false).and_then(|()| previous.check_owner(output, &owner, false))
    {
        return context.error(&error.message);
    }
    let out_dir = root.join(output);
    let filter = context.filter();
    let drift = changes::against_manifest(&out_dir, &compiled.files, &filter, &previous);
    let hashes = iacgen::output::manifest::hashes(&compiled.files);
    let manifest_stale = !previous.describes(&compiled.files, &hashes, &filter);
    if drift.is_empty() && !manifest_stale {
        context.say(&format!("{output}: in sync with the model ({} files)\n", compiled.files.files.len()));
        return ExitStatus::Success;
    }
    if context.common.format == FormatArg::Github {
        print!("{}", github_drift(&drift, output));
    } else {
        let color = context.color(std::io::stdout().is_terminal());
        for change in &drift {
            let what = match (change.kind, change.hand_edited) {
                (changes::Kind::Added, _) => "missing",
                (changes::Kind::Removed, _) => "stale",
                (changes::Kind::Modified, true) => "edited by hand",
                (changes::Kind::Modified, false) => "changed",
            };
            println!("{what}: {output}/{}", change.path);
            print!("{}", diff::unified(change, output, color));
        }
        if drift.is_empty() {
            println!("stale manifest: {output}/{}", iacgen::output::manifest::MANIFEST);
        }
    }
    let count = if drift.len() == 1 { String::from("1 file differs") } else { format!("{} files differ", drift.len()) };
    eprintln!("error: {output} is out of date with the model ({count}); run `iacgen build` to update it");
    ExitStatus::Drift
}

fn github_drift(drift: &[Change], output: &str) -> String {
    let mut out = String::new();
    for change in drift {
        let message = match change.kind {
            changes::Kind::Added => String::from("missing: the model generates this file but it is not committed"),
            changes::Kind::Removed => String::from("stale: the model no longer generates this file"),
            changes::Kind::Modified if change.hand_edited => String::from(
                "edited by hand: generated files are overwritten by iacgen build; use patches: in the model",
            ),
            changes::Kind::Modified => String::from("out of date with the model"),
        };
        let (added, removed) = diff::counts(change);
        out.push_str(&format!(
            "::error file={},title=iacgen drift::{message} (+{added} -{removed}); run `iacgen build`\n",
            render::github::property(&format!("{output}/{}", change.path)),
        ));
    }
    out
}

fn diff_command(
    context: &Context,
    root: &Path,
    reader: &Reader,
    base: Option<String>,
    exit_code: bool,
    diff_format: Option<DiffFormatArg>,
) -> ExitStatus {
    let format = match (diff_format, context.common.format) {
        (Some(DiffFormatArg::Unified), _) | (None, FormatArg::Unified | FormatArg::Human | FormatArg::Github) => {
            DiffFormat::Unified
        }
        (Some(DiffFormatArg::Stat), _) | (None, FormatArg::Stat) => DiffFormat::Stat,
        (Some(DiffFormatArg::Markdown), _) | (None, FormatArg::Markdown) => DiffFormat::Markdown,
        (Some(DiffFormatArg::Json), _) | (None, FormatArg::Json) => DiffFormat::Json,
    };
    let compiled = match compile(context, reader) {
        // The process ends after this command: freeing tens of thousands of strings one by one
        // would only cost time.
        Ok(compiled) => std::mem::ManuallyDrop::new(compiled),
        Err(status) => return status,
    };
    let output = compiled.resolved.compilation.output.clone();
    let filter = context.filter();
    let new = changes::snapshot(&compiled.files);
    let (list, semantic) = match base {
        None => (changes::against_disk(&root.join(&output), &compiled.files, &filter).0, Vec::new()),
        Some(rev) => {
            let base_reader = match git_reader(root, &rev) {
                Ok(reader) => reader,
                Err(message) => return context.error(&message),
            };
            let old = match iacgen::compile(&base_reader, &filter) {
                Ok(old) => old,
                Err(failure) => {
                    eprintln!("error: the model at {rev} does not compile:");
                    return context.fail(&failure);
                }
            };
            let semantic = iacgen::output::semantic::summary(&old.resolved.compilation, &compiled.resolved.compilation);
            (changes::between(&changes::snapshot(&old.files), &new, None), semantic)
        }
    };
    let text = match format {
        DiffFormat::Unified => {
            let color = context.color(std::io::stdout().is_terminal());
            let mut text: String = semantic.iter().map(|line| format!("# {line}\n")).collect();
            for change in &list {
                text.push_str(&diff::unified(change, &output, color));
            }
            text
        }
        DiffFormat::Stat => {
            let mut text: String = semantic.iter().map(|line| format!("{line}\n")).collect();
            text.push_str(&diff::stat(&list, &output));
            text
        }
        DiffFormat::Markdown => diff::markdown(&list, &output, &semantic),
        DiffFormat::Json => diff::json(&list, &output, &semantic),
    };
    print!("{text}");
    if exit_code && !list.is_empty() { ExitStatus::Drift } else { ExitStatus::Success }
}

/// A reader of the project at git revision `rev` (the project may sit below the repository's top).
fn git_reader(root: &Path, rev: &str) -> Result<Reader, String> {
    let top = iacgen::source::reader::git(root, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("not a git repository: {e}"))?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let prefix =
        iacgen::source::reader::git(root, &["rev-parse", "--show-prefix"]).map_err(|e| format!("git failed: {e}"))?;
    let prefix = String::from_utf8_lossy(&prefix).trim().trim_end_matches('/').to_string();
    iacgen::source::reader::git(&top, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("unknown git revision `{rev}`"))?;
    Ok(Reader::Git { repo: top, rev: rev.to_string(), prefix })
}

fn validate(context: &Context, reader: &Reader) -> ExitStatus {
    match iacgen::resolve_model(reader) {
        Ok(resolved) => {
            context.report(&resolved.diagnostics, &resolved.sources);
            let stacks = &resolved.compilation.environments;
            context.say(&format!(
                "ok: {} services, {} jobs, {} resources, {} environments\n",
                resolved.compilation.base.services.len(),
                resolved.compilation.base.jobs.len(),
                resolved.compilation.base.resources.len(),
                stacks.len()
            ));
            // The process ends here: freeing the resolved model piece by piece would only cost time.
            std::mem::forget(resolved);
            ExitStatus::Success
        }
        Err(failure) => context.fail(&failure),
    }
}

fn explain(context: &Context, reader: &Reader, environment: &str, name: &str) -> ExitStatus {
    let resolved = match iacgen::resolve_model(reader) {
        Ok(resolved) => resolved,
        Err(failure) => return context.fail(&failure),
    };
    let Some(stack) = resolved.compilation.environments.get(environment) else {
        let known: Vec<&String> = resolved.compilation.environments.keys().collect();
        return context.error(&format!("unknown environment `{environment}` (defined: {})", join(&known)));
    };
    let (kind, lines) = if let Some(service) = stack.services.get(name) {
        ("service", iacgen::explain::service(service, &resolved.sources))
    } else if let Some(job) = stack.jobs.get(name) {
        ("job", iacgen::explain::job(job, &resolved.sources))
    } else {
        let known: Vec<&String> = stack.services.keys().chain(stack.jobs.keys()).collect();
        return context.error(&format!("unknown service or job `{name}` (defined: {})", join(&known)));
    };
    let patches = iacgen::explain::patches(&resolved.model, environment, name, &resolved.sources);
    let text = if context.common.format == FormatArg::Json {
        iacgen::explain::render_json(environment, name, kind, &lines, &patches)
    } else {
        let mut text = iacgen::explain::render_text(&format!("{kind} {name} in environment {environment}"), &lines);
        if !patches.is_empty() {
            text.push_str("patches applied to its generated files:\n");
            for line in &patches {
                text.push_str(&format!("  {line}\n"));
            }
        }
        text
    };
    print!("{text}");
    ExitStatus::Success
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// The example that `iacgen init` writes (the same file as the `example` fixture).
const EXAMPLE: &str = include_str!("../fixtures/ok/example/iacgen.yaml");

fn init(context: &Context, directory: Option<PathBuf>) -> ExitStatus {
    let base = context.common.chdir.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = match directory {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => base.join(dir),
        None => base,
    };
    let path = dir.join(iacgen::source::MODEL_FILE);
    if path.exists() {
        return context.error(&format!("`{}` already exists; init never overwrites a model", path.display()));
    }
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return context.error(&format!("failed to create `{}`: {error}", dir.display()));
    }
    if let Err(error) = iacgen::output::fs_safe::create_new(&path, EXAMPLE.as_bytes()) {
        return context.error(&error.message);
    }
    context.say(&format!("wrote {}\nnext: iacgen build -C {}\n", path.display(), dir.display()));
    ExitStatus::Success
}

/// `import compose`: write the model, print the report, then validate what was written.
fn import_compose(context: &Context, file: &Path, output: Option<PathBuf>) -> ExitStatus {
    let base = context.common.chdir.clone().unwrap_or_else(|| PathBuf::from("."));
    let file = if file.is_absolute() { file.to_path_buf() } else { base.join(file) };
    let dir = match output {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => base.join(dir),
        None => base,
    };
    let path = dir.join(iacgen::source::MODEL_FILE);
    if path.exists() {
        return context.error(&format!("`{}` already exists; import never overwrites a model", path.display()));
    }
    let imported = match iacgen::import::compose(&file, &dir) {
        Ok(imported) => imported,
        Err(failure) => return context.fail(&failure),
    };
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return context.error(&format!("failed to create `{}`: {error}", dir.display()));
    }
    if let Err(error) = iacgen::output::fs_safe::create_new(&path, imported.model.as_bytes()) {
        return context.error(&error.message);
    }
    eprint!("{}", imported.report());
    match iacgen::resolve_model(&Reader::Disk { root: dir.clone() }) {
        Ok(resolved) => {
            context.report(&resolved.diagnostics, &resolved.sources);
            context.say(&format!("wrote {}\nnext: iacgen build -C {}\n", path.display(), dir.display()));
            ExitStatus::Success
        }
        Err(failure) => {
            eprintln!("error: the imported model does not validate; this is a bug in the importer, please report it");
            context.fail(&failure)
        }
    }
}

fn rules_text() -> String {
    let mut out = String::new();
    for code in codes::ALL {
        let waivable = if code.waivable { ", waivable" } else { "" };
        out.push_str(&format!("{} {} ({}{waivable})\n", code.id(), code.name, code.severity.as_str()));
        out.push_str(&format!("    checks: {}\n", code.what));
        out.push_str(&format!("    fix:    {}\n", code.fix));
    }
    out
}
