//! Command-line arguments. The doc comments are the `--help` text readers see, so they are in
//! Chinese.

use crate::cmd;
use crate::diagnostic::{self, Diagnostic};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
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
}

/// Parses arguments, runs the command and turns the outcome into an exit code:
/// 0 success, 1 the site has errors, 2 bad usage (clap exits with 2 itself).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let options = cmd::build::Options {
                output: args.output.unwrap_or_else(|| args.root.join("public")),
                root: args.root,
                base_url: args.base_url,
                drafts: args.drafts,
                offline: args.offline,
                progress: std::io::stderr().is_terminal(),
            };
            let outcome = cmd::build::run(&options);
            print_diagnostics(&outcome.diagnostics);
            match outcome.summary {
                Some(summary) => {
                    eprintln!("{summary}");
                    ExitCode::SUCCESS
                }
                None => {
                    let errors = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
                    let shown = options.output.strip_prefix(".").unwrap_or(&options.output);
                    eprintln!(
                        "构建失败：{errors} 个错误。{} 保持原样，没有改动。",
                        shown.display()
                    );
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut sorted = diagnostics.to_vec();
    diagnostic::sort(&mut sorted);
    for d in &sorted {
        eprintln!("{d}");
    }
}
