//! pufa: a static site generator for legal-publicity (普法) websites.
//!
//! The pipeline, one module a stage: [`config`] reads site.yaml, [`content`] loads every
//! file under content/ into a plain-data [`content::Site`], [`markdown`] renders each page's
//! body, [`taxonomy`] groups pages into topics, months, series and laws, [`render`] turns
//! them into files through the [`theme`]'s Tera templates and [`output`] swaps the result in.
//! [`pipeline`] strings the stages together for every command; [`check`] holds the site-wide
//! checks and prints diagnostics.
//! [`cmd`] holds one module per subcommand; [`cli`] parses arguments. [`import`] converts
//! Word documents and text files into Markdown for `pufa import`.

pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod confine;
pub mod content;
pub mod diagnostic;
pub mod fs;
pub mod import;
pub mod laws;
pub mod markdown;
pub mod menu;
pub mod output;
pub mod picture;
pub mod pinyin;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod serve;
pub mod taxonomy;
pub mod text;
pub mod theme;
pub mod timings;
pub mod url;
pub mod yaml;
