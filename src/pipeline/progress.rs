//! The hook a progress display hangs on: the sink reports every page it stored.

/// One page the sink stored.
#[derive(Debug, Clone, Copy)]
pub struct PageDone<'a> {
    /// The configured site the page belongs to.
    pub site: &'a str,
    /// Answered 2xx or 304.
    pub ok: bool,
    /// Listings on the page (fresh, or still offered as stored).
    pub listings: usize,
    /// Of those, flagged.
    pub flagged: usize,
}

/// Receives page events from the sink's thread; must be cheap (it runs per page).
pub trait Progress: Send + Sync {
    /// Called once for every page stored.
    fn page(&self, page: &PageDone<'_>);
}
