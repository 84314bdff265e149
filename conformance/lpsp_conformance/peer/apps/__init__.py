"""Small applications on the real peers (lonelypss, lonelypsc) that the suite
starts on 127.0.0.1 to check them; they use those packages as libraries."""
