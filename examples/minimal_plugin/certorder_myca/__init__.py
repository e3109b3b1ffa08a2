"""certorder plugin ``myca``: an example of a remote-CA plugin.

Options (``[plugins.myca]`` in certorder.toml, or ``CERTORDER_MYCA_<OPTION>``):

=================  =======  ==================================================
``validity_days``  30       lifetime of issued certificates (1-398)
``poll_msec``      60000    how long the core waits before asking the CA again
=================  =======  ==================================================
"""

from certorder_myca.plugin import MyCAPlugin, MyCASettings

__all__ = ["MyCAPlugin", "MyCASettings"]
