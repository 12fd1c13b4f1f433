//! Relay connections over the keyset pages of [`paging`](crate::paging): the page
//! information every connection carries.

use async_graphql::SimpleObject;

/// Relay page information.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// More items follow the last edge.
    pub has_next_page: bool,
    /// More items precede the first edge.
    pub has_previous_page: bool,
    /// Cursor of the first edge.
    pub start_cursor: Option<String>,
    /// Cursor of the last edge.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page information of a page with these flags whose edges carry `cursors`, in
    /// display order.
    pub fn new(has_next_page: bool, has_previous_page: bool, cursors: &[&str]) -> Self {
        Self {
            has_next_page,
            has_previous_page,
            start_cursor: cursors.first().map(|c| (*c).to_owned()),
            end_cursor: cursors.last().map(|c| (*c).to_owned()),
        }
    }
}
