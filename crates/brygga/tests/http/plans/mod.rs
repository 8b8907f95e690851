mod followup;
