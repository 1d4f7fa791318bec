"""The Streamlit app's parts. Only the modules that render import streamlit; `uploads`,
`highlight` and `pages` are plain functions, tested without a browser."""
