//! Knowledge — what is known to work and what others have done: the method library with its
//! evidence ratings on EMMIE's dimensions, and the idea bank of good examples with its idea
//! board (issue 16, items 3 and 4). Below the plans folder, because a plan's measure names the
//! method it rests on and the goal–means check reads that link; where a method is in use (the
//! intervention register, plans) is read by those folders, never from here.
