mod trust_consent;
