//! Command-line arguments. The doc comments are the `--help` text readers see, so they are in
//! Chinese.

use crate::check::report::{self, Format};
use crate::cmd;
use crate::diagnostic::{self, Diagnostic, has_errors};
use crate::pipeline::Settings;
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// pufa：普法网站生成器。把 Markdown 文章、视频和一月一主题生成为静态网站。
#[derive(Parser, Debug)]
#[command(
    name = "pufa",
    version,
    about,
    long_about = None,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    override_usage = "pufa <命令> [选项]",
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// 显示帮助
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true, help_heading = "选项", display_order = 1000)]
    help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help_heading = "选项")]
    version: Option<bool>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 生成网站，写入 public/（或 --output 指定的文件夹）
    #[command(override_usage = "pufa build [选项]")]
    Build(BuildArgs),
    /// 边写边预览：在浏览器里打开网站，保存文件后页面自动刷新
    #[command(override_usage = "pufa serve [选项]")]
    Serve(ServeArgs),
    /// 发布前检查：死链、缺图、专题写错、严重表述错误、个人信息……不写任何文件
    #[command(override_usage = "pufa check [选项]")]
    Check(CheckArgs),
    /// 新建一篇文章、一集视频、一个主题月或一个页面（不会覆盖已有文件）
    #[command(
        override_usage = "pufa new <类型> <标题>… [选项]\n  例如：pufa new article 冒充客服退款诈骗 或 pufa new episode 见事说法04 宅基地纠纷"
    )]
    New(NewArgs),
    /// 导入 Word 文档（.docx）或文本文件（.txt、.md），转成草稿文章（不会覆盖已有文件）
    #[command(
        override_usage = "pufa import <文件>… [选项]\n  例如：pufa import 稿件.docx 或 pufa import --kind page 关于我们.docx"
    )]
    Import(ImportArgs),
    /// 新建一个网站：示例配置和每种内容各一篇，马上就能生成
    #[command(override_usage = "pufa init <文件夹>")]
    Init(InitArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// 要新建什么：article 普法文章、episode 视频、month 主题月、page 独立页面
    #[arg(value_enum, value_name = "类型", help_heading = "参数")]
    pub kind: cmd::new::NewKind,
    /// 标题（主题月写这个月的主题）；可以有空格，不用加引号
    #[arg(value_name = "标题", num_args = 1.., required = true, help_heading = "参数")]
    pub title: Vec<String>,
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "文件夹", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// 要导入的文件：Word 文档（.docx）、文本文件（.txt，GBK 或 UTF-16 编码的会转换）或 Markdown 文件（.md）；可以一次写多个
    #[arg(value_name = "文件", num_args = 1.., required = true, help_heading = "参数")]
    pub files: Vec<PathBuf>,
    /// 导入成什么：article 普法文章（默认）、episode 视频、page 独立页面
    #[arg(long, value_enum, value_name = "类型", default_value = "article")]
    pub kind: cmd::import::ImportKind,
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "文件夹", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// 新网站的文件夹（不存在或是空的）
    #[arg(value_name = "文件夹", help_heading = "参数")]
    pub dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "文件夹", default_value = ".")]
    pub root: PathBuf,
    /// 输出文件夹，默认是网站文件夹里的 public
    #[arg(long, value_name = "文件夹")]
    pub output: Option<PathBuf>,
    /// 网站的正式网址，覆盖 site.yaml 中的 base_url
    #[arg(long, value_name = "网址")]
    pub base_url: Option<String>,
    /// 同时发布草稿（draft: true）
    #[arg(long)]
    pub drafts: bool,
    /// 同时发布日期还没到的定时文章
    #[arg(long)]
    pub future: bool,
    /// 生成可以直接双击打开的网站：链接以 index.html 结尾
    #[arg(long)]
    pub offline: bool,
    /// 把这次新增（A）、更新（M）、删除（D）的文件列到这个文件里，供上传工具使用
    #[arg(long, value_name = "文件")]
    pub changes: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "文件夹", default_value = ".")]
    pub root: PathBuf,
    /// 监听的地址，默认 127.0.0.1（只有本机能打开）；用 0.0.0.0 让同一网络里的手机也能打开
    #[arg(long, value_name = "地址", default_value = "127.0.0.1")]
    pub bind: String,
    /// 端口，默认 1111
    #[arg(long, value_name = "端口", default_value_t = 1111)]
    pub port: u16,
    /// 同时显示草稿（draft: true）
    #[arg(long)]
    pub drafts: bool,
    /// 同时显示日期还没到的定时文章
    #[arg(long)]
    pub future: bool,
    /// 定时检查文件变化（网络盘、WSL 中收不到变化通知时使用）
    #[arg(long)]
    pub poll: bool,
    /// 准备好后用默认浏览器打开预览
    #[arg(long)]
    pub open: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "文件夹", default_value = ".")]
    pub root: PathBuf,
    /// 输出格式
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// 另外写一份给领导审阅签字的检查报告（HTML 文件，用浏览器打开、可以打印）；不写文件名时是“检查报告.html”
    #[arg(long, value_name = "文件.html", num_args = 0..=1, default_missing_value = "检查报告.html")]
    pub report: Option<PathBuf>,
    /// 同时检查日期还没到的定时文章，当作已经发布（在它们出现之前找出错误）
    #[arg(long)]
    pub future: bool,
}

/// Parses arguments, runs the command and turns the outcome into an exit code:
/// 0 success, 1 the site has errors, 2 bad usage (clap exits with 2 itself).
pub fn run() -> ExitCode {
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Serve(args) => {
            let options = crate::serve::Options {
                root: args.root.clone(),
                bind: args.bind,
                port: args.port,
                drafts: args.drafts,
                future: args.future,
                poll: args.poll,
                open: args.open,
            };
            match crate::serve::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => fail(&d, &args.root),
            }
        }
        Command::New(args) => match cmd::new::run(&args.root, args.kind, &args.title.join(" ")) {
            Ok(created) => {
                println!("已新建 {}", created.file.display());
                println!(
                    "发布后的网址：/{}（要印到宣传单或二维码上的，先确认这个网址；想换就在 front matter 里写 slug: 新网址）",
                    created.address
                );
                println!("写好后把 draft: true 改成 draft: false（或删掉这一行）就会发布。");
                ExitCode::SUCCESS
            }
            Err(d) => fail(&d, &args.root),
        },
        Command::Import(args) => import(args),
        Command::Init(args) => match cmd::init::run(&args.dir) {
            Ok(files) => {
                println!("已在 {} 新建网站：", args.dir.display());
                for file in files {
                    println!("  {}", file.display());
                }
                println!(
                    "下一步：cd {} 然后运行 {} build",
                    args.dir.display(),
                    command_shown()
                );
                ExitCode::SUCCESS
            }
            Err(d) => fail(&d, Path::new(".")),
        },
    }
}

/// The command line, with help and every usage error in Chinese. Returns the exit code to
/// end with when there is nothing to run: 0 after help or the version, 2 after an error.
pub fn parse<I, T>(args: I) -> Result<Cli, ExitCode>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    // Clap's own words (`[default: .]`, `Possible values:`, headings) stay out of the help:
    // the doc comments say the defaults and choices in Chinese.
    let chinese = |a: clap::Arg| {
        let a = if a.get_action().takes_values() {
            a.hide_default_value(true).hide_possible_values(true)
        } else {
            a
        };
        if a.get_help_heading().is_none() && !a.is_positional() {
            a.help_heading("选项")
        } else {
            a
        }
    };
    let command = Cli::command()
        .help_template(HELP)
        .mut_subcommands(|s| s.help_template(HELP).mut_args(chinese));
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // `pufa build --help` is where to look after a mistake in `pufa build …`.
    let subcommand = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| ["build", "serve", "check", "new", "import", "init"].contains(a))
        .map(str::to_string);
    let parsed = command
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| {
        use clap::error::ErrorKind;
        match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                ExitCode::SUCCESS
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                ExitCode::from(2)
            }
            _ => {
                eprint!("{}", usage_error(&e, subcommand.as_deref()));
                ExitCode::from(2)
            }
        }
    })
}

/// `--help`, with Chinese headings.
const HELP: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// A command-line mistake in Chinese: what is wrong, what was perhaps meant, how to see the
/// usage.
pub fn usage_error(e: &clap::Error, subcommand: Option<&str>) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |kind: ContextKind| -> Vec<String> {
        match e.get(kind) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
            Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
            Some(ContextValue::Number(n)) => vec![n.to_string()],
            _ => Vec::new(),
        }
    };
    let one = |kind: ContextKind| get(kind).into_iter().next().unwrap_or_default();
    // `--port <N>` as clap names it, without the angle brackets' English placeholders.
    let arg = one(ContextKind::InvalidArg);
    let message = match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            format!("没有“{}”这个命令", one(ContextKind::InvalidSubcommand))
        }
        ErrorKind::InvalidValue => {
            let value = one(ContextKind::InvalidValue);
            if value.is_empty() {
                format!("{arg} 后面要写一个值")
            } else {
                format!("“{value}”不是 {arg} 可以用的值")
            }
        }
        ErrorKind::ValueValidation => format!(
            "{arg} 的值“{}”不对：{}",
            one(ContextKind::InvalidValue),
            value_problem(&arg)
        ),
        ErrorKind::MissingRequiredArgument => {
            format!("缺少 {}", get(ContextKind::InvalidArg).join("、"))
        }
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::ArgumentConflict => format!(
            "{arg} 不能和 {} 一起用",
            get(ContextKind::PriorArg).join("、")
        ),
        ErrorKind::TooManyValues => format!("{arg} 只能写一个值"),
        ErrorKind::NoEquals => format!("{arg} 要写成 {arg}=值"),
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    let mut out = format!("错误：{message}\n");
    let valid = get(ContextKind::ValidValue);
    if !valid.is_empty() {
        out.push_str(&format!("  可以用的值：{}\n", valid.join("、")));
    }
    let suggested = get(ContextKind::SuggestedArg)
        .into_iter()
        .chain(get(ContextKind::SuggestedSubcommand))
        .chain(get(ContextKind::SuggestedValue))
        .collect::<Vec<_>>();
    if !suggested.is_empty() {
        out.push_str(&format!("  是不是：{}？\n", suggested.join("、")));
    }
    let usage = one(ContextKind::Usage);
    let usage = usage.trim();
    let usage = usage.strip_prefix("Usage:").map(str::trim).unwrap_or(usage);
    if !usage.is_empty() {
        out.push_str(&format!("\n用法：{usage}\n"));
    }
    let help = match subcommand {
        Some(sub) => format!("{} {sub} --help", command_shown()),
        None => format!("{} --help", command_shown()),
    };
    out.push_str(&format!("\n看全部用法：{help}\n"));
    out
}

/// What a value of `arg` must look like.
fn value_problem(arg: &str) -> &'static str {
    if arg.starts_with("--port") {
        "端口应当是 1 到 65535 之间的整数"
    } else {
        "格式不对"
    }
}

/// The command as the user typed it to start pufa: `pufa` when it was found on the PATH,
/// else the path used (`./pufa`, `D:\pufa\pufa.exe`), so that hints can be copied as they
/// stand.
pub fn command_shown() -> String {
    let Some(first) = std::env::args_os().next() else {
        return "pufa".to_string();
    };
    let first = PathBuf::from(first);
    if first.components().count() <= 1 {
        return "pufa".to_string();
    }
    // Absolute, so that it still works after the `cd` a hint may ask for.
    let shown = std::path::absolute(&first)
        .unwrap_or(first)
        .display()
        .to_string();
    if shown.contains(' ') {
        format!("\"{shown}\"")
    } else {
        shown
    }
}

fn fail(d: &Diagnostic, root: &Path) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    eprint!("{}", report::human(std::slice::from_ref(d), root, color));
    ExitCode::from(1)
}

fn build(args: BuildArgs) -> ExitCode {
    let options = cmd::build::Options {
        output: args.output.unwrap_or_else(|| args.root.join("public")),
        settings: Settings {
            root: args.root,
            base_url: args.base_url,
            drafts: args.drafts,
            future: args.future,
            offline: args.offline,
            preview: false,
        },
        progress: std::io::stderr().is_terminal(),
        index: true,
        changes: args.changes,
    };
    let mut outcome = cmd::build::run(&options);
    diagnostic::sort(&mut outcome.diagnostics);
    let color = std::io::stderr().is_terminal();
    let mut stderr = std::io::stderr().lock();
    let _ = write!(
        stderr,
        "{}",
        report::human(&outcome.diagnostics, &options.settings.root, color)
    );
    match outcome.summary {
        Some(summary) => {
            let _ = writeln!(stderr, "{summary}");
            ExitCode::SUCCESS
        }
        None => {
            let output = &options.output;
            let shown = output.strip_prefix(".").unwrap_or(output);
            let state = if outcome.partial {
                "已经更新了一部分文件，再生成一次就会完整"
            } else {
                "保持原样，没有改动"
            };
            let _ = writeln!(
                stderr,
                "构建失败（{}）。{} {state}。",
                report::tally(&outcome.diagnostics),
                shown.display()
            );
            ExitCode::from(1)
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let settings = Settings {
        root: args.root,
        base_url: None,
        drafts: false,
        future: args.future,
        offline: false,
        preview: false,
    };
    let diagnostics = cmd::check::run(&settings);
    if let Some(file) = &args.report {
        let title = crate::config::Config::load(&settings.root)
            .map(|(config, _)| config.title)
            .unwrap_or_else(|_| "网站".to_string());
        let today = crate::content::Date::today().chinese();
        let page = report::html(&diagnostics, &settings.root, &title, &today);
        if let Err(e) = std::fs::write(file, page) {
            let d = crate::fs::error("io/write", "写入检查报告", file, &e);
            eprint!(
                "{}",
                report::human(std::slice::from_ref(&d), &settings.root, false)
            );
            return ExitCode::from(2);
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = match args.format {
        Format::Json => write!(stdout, "{}", report::json(&diagnostics)),
        Format::Human => {
            let color = std::io::stdout().is_terminal();
            writeln!(
                stdout,
                "{}检查完成：{}。",
                report::human(&diagnostics, &settings.root, color),
                report::tally(&diagnostics)
            )
        }
    };
    exit_code(&diagnostics)
}

/// Imports each file in turn; one that fails does not stop the others. Exit code 1 when one
/// failed or the imported text holds personal data the build would refuse.
fn import(args: ImportArgs) -> ExitCode {
    let mut diagnostics = Vec::new();
    let mut imported = 0;
    let mut stdout = std::io::stdout().lock();
    for file in &args.files {
        match cmd::import::run(&args.root, file, args.kind) {
            Ok(done) => {
                imported += 1;
                let pictures = match done.pictures.len() {
                    0 => String::new(),
                    n => format!(
                        "，{n} 张图片放在 {}",
                        done.pictures[0].parent().unwrap_or(Path::new("")).display()
                    ),
                };
                let _ = writeln!(
                    stdout,
                    "已导入 {} → {}{pictures}",
                    file.display(),
                    done.file.display()
                );
                if let Some(encoding) = done.encoding {
                    let _ = writeln!(stdout, "  已把 {encoding} 编码转换为 UTF-8");
                }
                let _ = writeln!(stdout, "  发布后的网址：/{}", done.address);
                diagnostics.extend(done.diagnostics);
            }
            Err(d) => diagnostics.push(d),
        }
    }
    if imported > 0 {
        let _ = writeln!(
            stdout,
            "导入的文章都是草稿（draft: true）：用 {} serve 预览、核对后，把 draft: true 改成 draft: false 再发布。",
            command_shown()
        );
    }
    let _ = stdout.flush();
    let color = std::io::stderr().is_terminal();
    eprint!("{}", report::human(&diagnostics, &args.root, color));
    if imported < args.files.len() || has_errors(&diagnostics) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn exit_code(diagnostics: &[Diagnostic]) -> ExitCode {
    if has_errors(diagnostics) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
