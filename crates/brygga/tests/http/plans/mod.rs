mod situations;
