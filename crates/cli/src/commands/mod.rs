//! One function per subcommand: flags → settings → library call → report.

pub(crate) mod demo;
pub(crate) mod demo_tsa;
pub(crate) mod hash;
pub(crate) mod inspect;
pub(crate) mod sign;
pub(crate) mod timestamp;
pub(crate) mod timestamp_add;
pub(crate) mod timestamping;
pub(crate) mod tsa;
pub(crate) mod verify;
