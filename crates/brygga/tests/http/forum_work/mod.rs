mod actions;
mod alerts;
mod api_forum_work;
mod digest;
mod meetings;
mod overview;
