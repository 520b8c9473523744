"""Google Wallet, pure: service-account tokens, the walletobjects REST client, the mapping
of our designs to Google classes and objects, and save links. No Flask, no SQLAlchemy."""
