//! Progress reporting hook (the CLI drives a progress bar with it; no terminal code here).

/// Receives byte counts while a model is hashed.
///
/// Called from several rayon worker threads at once, hence `Send + Sync`; implementations
/// should be cheap (an atomic add), because `advance` runs once per read buffer.
pub trait Progress: Send + Sync {
    /// Called once, after the walk and before hashing starts, with the number of bytes
    /// that will be hashed.
    fn start(&self, total_bytes: u64);
    /// Called after each buffer of `bytes` bytes has been hashed.
    fn advance(&self, bytes: u64);
    /// Called once when hashing ended (successfully or not).
    fn finish(&self) {}
}
