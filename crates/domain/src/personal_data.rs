//! Personal-data guard: finds personal identity numbers and phone numbers in free text.
