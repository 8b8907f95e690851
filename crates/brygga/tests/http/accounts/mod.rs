mod trust_redirect;
