//! Knowledge (issue 16): the method library through the API and public pages, the goal–means
//! link from a plan measure, and newsletters' one-click unsubscribe through a real SMTP server.

mod library;
mod unsubscribe;
