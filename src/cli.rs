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
#[command(name = "pufa", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 生成网站，写入 public/（或 --output 指定的文件夹）
    Build(BuildArgs),
    /// 边写边预览：在浏览器里打开网站，保存文件后页面自动刷新
    Serve(ServeArgs),
    /// 发布前检查：死链、缺图、专题写错、严重表述错误、个人信息……不写任何文件
    Check(CheckArgs),
    /// 新建一篇文章、一集视频、一个主题月或一个页面（不会覆盖已有文件）
    New(NewArgs),
    /// 新建一个网站：示例配置和每种内容各一篇，马上就能生成
    Init(InitArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// 要新建什么
    #[arg(value_enum)]
    pub kind: cmd::new::NewKind,
    /// 标题（主题月写这个月的主题）
    pub title: String,
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// 新网站的文件夹（不存在或是空的）
    pub dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// 输出文件夹，默认是网站文件夹里的 public
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// 网站的正式网址，覆盖 site.yaml 中的 base_url
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// 同时发布草稿（draft: true）
    #[arg(long)]
    pub drafts: bool,
    /// 生成可以直接双击打开的网站：链接以 index.html 结尾
    #[arg(long)]
    pub offline: bool,
    /// 把这次新增（A）、更新（M）、删除（D）的文件列到这个文件里，供上传工具使用
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// 监听的地址；用 0.0.0.0 让同一网络里的手机也能打开
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: String,
    /// 端口
    #[arg(long, value_name = "N", default_value_t = 1111)]
    pub port: u16,
    /// 同时显示草稿（draft: true）
    #[arg(long)]
    pub drafts: bool,
    /// 定时检查文件变化（网络盘、WSL 中收不到变化通知时使用）
    #[arg(long)]
    pub poll: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// 网站所在的文件夹（含 site.yaml），默认是当前文件夹
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// 输出格式
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// 另外写一份给领导审阅签字的检查报告（HTML 文件，用浏览器打开、可以打印）
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

/// Parses arguments, runs the command and turns the outcome into an exit code:
/// 0 success, 1 the site has errors, 2 bad usage (clap exits with 2 itself).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Serve(args) => {
            let options = crate::serve::Options {
                root: args.root.clone(),
                bind: args.bind,
                port: args.port,
                drafts: args.drafts,
                poll: args.poll,
            };
            match crate::serve::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => fail(&d, &args.root),
            }
        }
        Command::New(args) => match cmd::new::run(&args.root, args.kind, &args.title) {
            Ok(path) => {
                println!("已新建 {}", path.display());
                println!("写好后把 draft: true 改成 draft: false（或删掉这一行）就会发布。");
                ExitCode::SUCCESS
            }
            Err(d) => fail(&d, &args.root),
        },
        Command::Init(args) => match cmd::init::run(&args.dir) {
            Ok(files) => {
                println!("已在 {} 新建网站：", args.dir.display());
                for file in files {
                    println!("  {}", file.display());
                }
                println!("下一步：cd {} 然后运行 pufa build", args.dir.display());
                ExitCode::SUCCESS
            }
            Err(d) => fail(&d, Path::new(".")),
        },
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

fn exit_code(diagnostics: &[Diagnostic]) -> ExitCode {
    if has_errors(diagnostics) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
