-- A copied database must never talk to Amazon as the seller.
UPDATE amazon_seller_account
   SET lwa_client_secret = NULL,
       lwa_refresh_token = NULL,
       active = FALSE;
