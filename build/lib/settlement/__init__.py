"""Settlement: statements of services, their confirmation and approval, e-invoices (XRechnung)."""
