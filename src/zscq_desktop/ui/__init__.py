"""The desktop application (PySide6): a wizard of thin pages over `Session`, the open submission.

Domain decisions (rules, page order, which page owns a field) live in `zscq_desktop.core`; this
package only shows data and forwards what the user does.
"""
