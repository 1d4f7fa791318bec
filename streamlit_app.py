"""The Streamlit app: `rag ui`, or `streamlit run streamlit_app.py`. The code is in `app/ui/`."""

from app.ui.app import main

main()
