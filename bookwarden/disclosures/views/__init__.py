"""Pages of the disclosure app, one module per feature; every page needs a login.

- :mod:`.requests`: requests for records, from intake to closure (CR-5a, CC-5, NM-1);
- :mod:`.policy`: the library's own disclosure policy (NM-2);
- :mod:`.open_records`: open-records requests for public records (CR-1, CR-5e, CR-5g);
- :mod:`.transparency`: the yearly transparency report (NM-4);
- :mod:`.patron_letters`: the letters to patrons told of a release without an e-mail address.
"""
