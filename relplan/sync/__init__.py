"""Sync with Jira (Cloud and Data Center) and Azure Boards.

``tracker`` holds the plain records every client returns, ``http`` the HTTP client with retries,
``jira`` and ``azure`` the clients, ``mapping`` the pure translation of their payloads,
``credentials`` the keyring access and ``engine`` the incremental sync itself. Nothing here
imports Qt.
"""
