//! Reading every page of a list: MWS's documented rule, `offset += resultCount` until
//! `offset >= totalCount`.

use super::client::MwsClient;
#[cfg(not(target_arch = "wasm32"))]
use super::error::MwsError;
use super::http::HttpRequest;
#[cfg(not(target_arch = "wasm32"))]
use super::http::HttpResponse;
use super::query::{ListQuery, QueryError};
#[cfg(not(target_arch = "wasm32"))]
use crate::model::mws::MwsEventList;

/// The offsets of a paged read, without any request: start at the query's `offset`, then move by
/// each page's `resultCount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePlan {
    offset: u64,
    total: Option<u64>,
    done: bool,
}

impl PagePlan {
    /// A plan starting at `offset`.
    pub fn new(offset: u64) -> PagePlan {
        PagePlan {
            offset,
            total: None,
            done: false,
        }
    }

    /// The offset of the next page, or `None` once every page was read.
    pub fn next_offset(&self) -> Option<u64> {
        (!self.done).then_some(self.offset)
    }

    /// Takes in a page's counts. Ends at `offset >= totalCount`, and also on an empty page before
    /// that: a server that stops returning results (events deleted while paging, a cap on
    /// `offset`) would otherwise be asked for the same page forever.
    pub fn advance(&mut self, total_count: u64, result_count: u64) {
        self.offset = self.offset.saturating_add(result_count);
        self.total = Some(total_count);
        if self.offset >= total_count || result_count == 0 {
            self.done = true;
        }
    }

    /// The `totalCount` of the last page read.
    pub fn total_count(&self) -> Option<u64> {
        self.total
    }

    /// Whether every page was read.
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// Every page of one list query, as requests to perform one after the other.
///
/// ```text
/// while let Some(request) = cursor.next_request() {
///     let response = perform(request);            // the driver's fetch
///     let page = cursor.on_response(&response)?;  // typed; a failure leaves the cursor in place to retry
/// }
/// ```
///
/// Offsets count positions in a list that can change between requests: an event added before
/// the current offset shows twice, one removed before it is skipped. For a list that grows while
/// it is read, sort ascending on something new events are last in (`eventDate`, then `id`), or
/// use the [`Poller`](super::Poller), which deduplicates and rereads.
#[derive(Debug, Clone)]
pub struct PageCursor {
    client: MwsClient,
    query: ListQuery,
    plan: PagePlan,
}

impl PageCursor {
    pub(crate) fn new(client: MwsClient, query: ListQuery) -> Result<PageCursor, QueryError> {
        // Written once here so that a bad query fails now and every later request can be made.
        query.path_and_query()?;
        let plan = PagePlan::new(query.offset.unwrap_or(0));
        Ok(PageCursor { client, query, plan })
    }

    /// The request for the next page, or `None` once every page was read.
    pub fn next_request(&self) -> Option<HttpRequest> {
        let offset = self.plan.next_offset()?;
        let mut query = self.query.clone();
        query.offset = (offset > 0).then_some(offset);
        Some(
            self.client
                .list(&query)
                .expect("checked when the cursor was made"),
        )
    }

    /// Reads the answer to the last request and moves to the next page. On an error the cursor
    /// stays where it was, so the same page can be asked again.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn on_response(&mut self, response: &HttpResponse) -> Result<MwsEventList, MwsError> {
        let page = response.list()?;
        self.advance(page.total_count, page.result_count);
        Ok(page)
    }

    /// Moves to the next page after the counts of a page the driver read itself. Not called for
    /// a failed request, so the same page can be asked again.
    pub fn advance(&mut self, total_count: u64, result_count: u64) {
        self.plan.advance(total_count, result_count);
    }

    /// The plan: offset, `totalCount`, done.
    pub fn plan(&self) -> &PagePlan {
        &self.plan
    }
}
