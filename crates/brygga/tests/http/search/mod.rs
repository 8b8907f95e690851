//! Swedish full-text search (issue 15, item 6): the page `/sok` and `GET /api/v1/search`.

mod api;
