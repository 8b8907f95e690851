//! Dialogue — consultations whose every contribution is traced to what it changed and fed
//! back to its contributor, training and events with their coverage, and newsletters to
//! networks and opt-in lists (issue 16, items 1, 2, 5 and 6). Above actors (invitations are
//! chosen from the directory, newsletters go to networks) and the planning folders (a
//! disposition links to a lägesbild section, a plan's goal or measure, an action, a steering
//! decision); below search, which indexes it.

pub mod consultations;
pub mod events;
pub mod newsletters;
