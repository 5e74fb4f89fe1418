"""The desktop application (PySide6): a wizard of thin pages over `Session`, the open submission.

Domain decisions (rules, page order, which page owns a field) live in `zscq_desktop.core`; this
package only shows data and forwards what the user does.
"""

from zscq_desktop.ui.feature_scan import skip_feature_scan

skip_feature_scan()  # first, so that no module of the GUI has its source re-read by PySide6's import hook
