//! One module per subcommand.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
